package ident

import "fmt"

// ISNI (ISO 27729): 16 characters, 15 digits and an ISO 7064 Mod 11-2
// check character (0-9 or X), usually written in groups of four:
// "0000 0001 2103 2683".

// NormalizeISNI strips spaces and hyphens and upper-cases a trailing x.
func NormalizeISNI(s string) string { return strip(s) }

// ISNICheckChar computes the check character of an ISNI from its first 15
// digits (spaces allowed).
func ISNICheckChar(body string) (byte, error) {
	n := NormalizeISNI(body)
	if len(n) != 15 {
		return 0, fmt.Errorf("ISNI check character of %q: %d digits, expected 15", body, len(n))
	}
	if msg := badChar(n, 0, isDigit, "a digit"); msg != "" {
		return 0, fmt.Errorf("ISNI check character of %q: %s", body, msg)
	}
	return mod11_2(n), nil
}

// CheckISNI reports whether s (after normalization) is a 16-character
// ISNI with a correct check character.
func CheckISNI(s string) error {
	n := NormalizeISNI(s)
	switch {
	case n == "":
		return errorf("ISNI", s, "empty")
	case len(n) != 16:
		return errorf("ISNI", s, "%d characters, expected 16 (15 digits and a check character 0-9 or X)", len(n))
	}
	if msg := badChar(n[:15], 0, isDigit, "a digit"); msg != "" {
		return errorf("ISNI", s, "%s", msg)
	}
	if c := n[15]; !isDigit(c) && c != 'X' {
		return errorf("ISNI", s, "character 16 is %s, expected a digit or X (the check character)", quoteChar(c))
	}
	if want := mod11_2(n[:15]); n[15] != want {
		return checkCharError("ISNI", s, "check character", n[15], want)
	}
	return nil
}
