package ident

import "fmt"

// UPC-A (12 digits) and EAN-13 (13 digits), together called ICPN in DDEX:
// a GS1 mod-10 check digit ends the number. It is kept as a string:
// leading zeros are part of it.

// NormalizeUPC strips hyphens and spaces; it never drops leading zeros.
func NormalizeUPC(s string) string { return strip(s) }

// UPCCheckDigit computes the GS1 mod-10 check digit of body, the
// number without its check digit (11 digits for a UPC-A, 12 for an
// EAN-13; any length works, as for GTIN-8 and GTIN-14). Weights are 3
// and 1 alternating from the rightmost digit of body.
func UPCCheckDigit(body string) (byte, error) {
	if body == "" {
		return 0, fmt.Errorf("UPC check digit: empty number")
	}
	if msg := badChar(body, 0, isDigit, "a digit"); msg != "" {
		return 0, fmt.Errorf("UPC check digit of %q: %s", body, msg)
	}
	return gs1CheckDigit(body), nil
}

func gs1CheckDigit(body string) byte {
	sum := 0
	for i := 0; i < len(body); i++ {
		d := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// CheckUPC reports whether s (after stripping hyphens and spaces) is a
// 12-digit UPC-A, 13-digit EAN-13 or 14-digit GTIN-14 with a correct
// check digit. ERN 4.3 and later allow any bar code as ICPN, and real
// messages send GTIN-14s (often a UPC or EAN padded with zeros, whose
// check digit stays the same).
func CheckUPC(s string) error {
	n := NormalizeUPC(s)
	switch {
	case n == "":
		return errorf("UPC", s, "empty")
	case badChar(n, 0, isDigit, "") != "":
		return errorf("UPC", s, "%s", badChar(n, 0, isDigit, "a digit"))
	case len(n) != 12 && len(n) != 13 && len(n) != 14:
		return errorf("UPC", s, "%d digits, expected 12 (UPC), 13 (EAN) or 14 (GTIN-14)", len(n))
	}
	last := len(n) - 1
	if want := gs1CheckDigit(n[:last]); n[last] != want {
		return checkCharError("UPC", s, "check digit", n[last], want)
	}
	return nil
}

// MakeUPC builds a UPC-A (digits = 12) or EAN-13 (digits = 13) from a
// GS1 company prefix and an item reference, appending the GS1 check
// digit. The reference is zero-padded on the left to fill the number, so
// prefix "5059876" and reference 42 give the EAN-13 5059876000427.
func MakeUPC(prefix string, reference uint64, digits int) (string, error) {
	if digits != 12 && digits != 13 {
		return "", fmt.Errorf("make UPC: %d digits, expected 12 (UPC-A) or 13 (EAN-13)", digits)
	}
	if msg := badChar(prefix, 0, isDigit, "a digit"); msg != "" || prefix == "" {
		return "", fmt.Errorf("make UPC: company prefix %q must be digits", prefix)
	}
	width := digits - 1 - len(prefix)
	if width < 1 {
		return "", fmt.Errorf("make UPC: company prefix %q leaves no room for an item reference in %d digits", prefix, digits)
	}
	ref := fmt.Sprintf("%0*d", width, reference)
	if len(ref) != width {
		return "", fmt.Errorf("make UPC: item reference %d has more than %d digits", reference, width)
	}
	body := prefix + ref
	return body + string(gs1CheckDigit(body)), nil
}
