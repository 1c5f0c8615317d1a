package ident

import "fmt"

// ISRC (ISO 3901): 12 characters CC-XXX-YY-NNNNN: a 2-letter country
// code, a 3-character registrant code, 2 digits of the reference year and
// a 5-digit designation code. It has no check character.

// NormalizeISRC strips hyphens and spaces and upper-cases s, so
// "us-rc1-76-07839" becomes "USRC17607839".
func NormalizeISRC(s string) string { return strip(s) }

// CheckISRC reports whether s, once normalized, is a syntactically valid
// ISRC, and if not, which part is wrong.
func CheckISRC(s string) error {
	n := NormalizeISRC(s)
	if n == "" {
		return errorf("ISRC", s, "empty")
	}
	if len(n) != 12 {
		return errorf("ISRC", s, "%d characters, expected 12 (CC-XXX-YY-NNNNN, e.g. USRC17607839)", len(n))
	}
	parts := []struct {
		from, to int
		ok       func(byte) bool
		want     string
	}{
		{0, 2, isUpper, "a letter A-Z (the country code)"},
		{2, 5, isAlnum, "a letter or digit (the registrant code)"},
		{5, 7, isDigit, "a digit (the year)"},
		{7, 12, isDigit, "a digit (the designation code)"},
	}
	for _, p := range parts {
		if msg := badChar(n[p.from:p.to], p.from, p.ok, p.want); msg != "" {
			return errorf("ISRC", s, "%s", msg)
		}
	}
	return nil
}

// DuplicateISRCs returns, for every ISRC that occurs more than once in
// isrcs (compared after normalization), the indexes where it occurs. The
// same ISRC on two tracks of one release is an error; across releases it
// is normal.
func DuplicateISRCs(isrcs []string) map[string][]int {
	seen := make(map[string][]int, len(isrcs))
	for i, s := range isrcs {
		n := NormalizeISRC(s)
		if n == "" {
			continue
		}
		seen[n] = append(seen[n], i)
	}
	dups := make(map[string][]int)
	for n, at := range seen {
		if len(at) > 1 {
			dups[n] = at
		}
	}
	return dups
}

// MakeISRC builds an ISRC from its parts: a 2-letter country code, a
// 3-character registrant code, the reference year (only its last two
// digits are kept) and a designation code of at most 5 digits.
func MakeISRC(country, registrant string, year, designation int) (string, error) {
	country, registrant = strip(country), strip(registrant)
	switch {
	case len(country) != 2 || badChar(country, 0, isUpper, "") != "":
		return "", fmt.Errorf("make ISRC: country code %q must be 2 letters", country)
	case len(registrant) != 3 || badChar(registrant, 0, isAlnum, "") != "":
		return "", fmt.Errorf("make ISRC: registrant code %q must be 3 letters or digits", registrant)
	case year < 0:
		return "", fmt.Errorf("make ISRC: year %d is negative", year)
	case designation < 0 || designation > 99999:
		return "", fmt.Errorf("make ISRC: designation code %d is not 0-99999", designation)
	}
	return fmt.Sprintf("%s%s%02d%05d", country, registrant, year%100, designation), nil
}

// ISRCParts splits a valid ISRC into its country code, registrant code,
// two-digit year and designation code.
func ISRCParts(s string) (country, registrant string, yy, designation int, err error) {
	if err := CheckISRC(s); err != nil {
		return "", "", 0, 0, err
	}
	n := NormalizeISRC(s)
	return n[:2], n[2:5], atoi(n[5:7]), atoi(n[7:]), nil
}

// atoi converts a string of digits already checked to be digits.
func atoi(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}
