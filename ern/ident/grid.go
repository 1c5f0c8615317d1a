package ident

import "fmt"

// GRid (Global Release Identifier): 18 characters, "A1" (the identifier
// scheme), a 5-character issuer code, a 10-character release number and an
// ISO 7064 Mod 37,36 check character, often written A1-2425G-ABC1234002-M.

// NormalizeGRid strips hyphens and spaces and upper-cases s.
func NormalizeGRid(s string) string { return strip(s) }

// GRidCheckChar computes the check character of a GRid from its first 17
// characters ("A1" + issuer + release number, hyphens allowed).
func GRidCheckChar(body string) (byte, error) {
	n := NormalizeGRid(body)
	if len(n) != 17 {
		return 0, fmt.Errorf("GRid check character of %q: %d characters, expected 17", body, len(n))
	}
	if msg := badChar(n, 0, isAlnum, "a letter or digit"); msg != "" {
		return 0, fmt.Errorf("GRid check character of %q: %s", body, msg)
	}
	return mod37_36(n), nil
}

// CheckGRid reports whether s (after normalization) is an 18-character
// GRid with a correct check character.
func CheckGRid(s string) error {
	n := NormalizeGRid(s)
	switch {
	case n == "":
		return errorf("GRid", s, "empty")
	case len(n) != 18:
		return errorf("GRid", s, "%d characters, expected 18 (A1 + 5-character issuer + 10-character release number + check character)", len(n))
	case n[:2] != "A1":
		return errorf("GRid", s, "starts with %q, expected A1", n[:2])
	}
	if msg := badChar(n, 0, isAlnum, "a letter or digit"); msg != "" {
		return errorf("GRid", s, "%s", msg)
	}
	if want := mod37_36(n[:17]); n[17] != want {
		return checkCharError("GRid", s, "check character", n[17], want)
	}
	return nil
}

// MakeGRid builds a GRid from a 5-character issuer code and a release
// number, zero-padded on the left to 10 characters, with its Mod 37,36
// check character: issuer "2425G" and release number 1 give
// A12425G0000000001 and its check character.
func MakeGRid(issuer string, release uint64) (string, error) {
	issuer = strip(issuer)
	if len(issuer) != 5 || badChar(issuer, 0, isAlnum, "") != "" {
		return "", fmt.Errorf("make GRid: issuer code %q must be 5 letters or digits", issuer)
	}
	num := fmt.Sprintf("%010d", release)
	if len(num) != 10 {
		return "", fmt.Errorf("make GRid: release number %d has more than 10 digits", release)
	}
	body := "A1" + issuer + num
	return body + string(mod37_36(body)), nil
}
