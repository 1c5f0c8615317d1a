package ident

import (
	"fmt"
	"strings"
)

// DDEX Party ID (DPID): "PADPIDA" + 10 letters or digits + an ISO 7064
// Mod 37,36 check character computed over the whole of the first 17
// characters, e.g. PADPIDA2014122301Q. DDEX issues them; ferry only checks
// that one was not mistyped.

const dpidPrefix = "PADPIDA"

// DPIDCheckChar computes the check character of a DPID from its first 17
// characters ("PADPIDA" + 10 letters or digits).
func DPIDCheckChar(body string) (byte, error) {
	if len(body) != 17 || !strings.HasPrefix(body, dpidPrefix) {
		return 0, fmt.Errorf("DPID check character of %q: expected PADPIDA and 10 letters or digits", body)
	}
	if msg := badChar(body[7:], 7, isAlnum, "a digit or capital letter"); msg != "" {
		return 0, fmt.Errorf("DPID check character of %q: %s", body, msg)
	}
	return mod37_36(body), nil
}

// CheckDPID reports whether s is an 18-character DDEX Party ID with a
// correct check character. DPIDs are written exactly as issued: no
// normalization is applied beyond trimming surrounding spaces.
func CheckDPID(s string) error {
	n := strings.TrimSpace(s)
	switch {
	case n == "":
		return errorf("DPID", s, "empty")
	case !strings.HasPrefix(n, dpidPrefix):
		return errorf("DPID", s, "does not start with PADPIDA")
	case len(n) != 18:
		return errorf("DPID", s, "%d characters, expected 18 (PADPIDA + 10 letters or digits + check character)", len(n))
	}
	if msg := badChar(n[7:], 7, isAlnum, "a digit or capital letter"); msg != "" {
		return errorf("DPID", s, "%s", msg)
	}
	if want := mod37_36(n[:17]); n[17] != want {
		return checkCharError("DPID", s, "check character", n[17], want)
	}
	return nil
}
