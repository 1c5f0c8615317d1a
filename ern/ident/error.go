// Package ident checks the identifiers a music release carries (ISRC,
// UPC/EAN, GRid, ISNI, DDEX Party ID) and computes their check characters.
// It is pure: no I/O, no state.
//
// Every Check function accepts the forms its Normalize function turns into
// the canonical one (hyphens and spaces, lower case where the standard
// allows it); callers store and send the normalized value.
package ident

import "fmt"

// Error says what is wrong with one identifier, in words a label's
// delivery team can act on. Validators can read the fields to build their
// own message, or use Error() as is, e.g.
//
//	UPC "5901234123458": check digit is 8, expected 7
type Error struct {
	Kind    string // "ISRC", "UPC", "GRid", "ISNI", "DPID"
	Value   string // the identifier as given
	Problem string // what is wrong
	// Expected is the correct check character when the only fault is a
	// wrong check character, 0 otherwise.
	Expected byte
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Kind, e.Value, e.Problem)
}

func errorf(kind, value, format string, args ...any) *Error {
	return &Error{Kind: kind, Value: value, Problem: fmt.Sprintf(format, args...)}
}

// checkCharError reports a wrong check character and what it should be.
func checkCharError(kind, value, what string, got, want byte) *Error {
	e := errorf(kind, value, "%s is %c, expected %c", what, got, want)
	e.Expected = want
	return e
}

// badChar finds the first character of s not accepted by ok and describes
// it with its 1-based position; it returns "" when all are accepted.
func badChar(s string, offset int, ok func(byte) bool, want string) string {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return fmt.Sprintf("character %d is %s, expected %s", offset+i+1, quoteChar(s[i]), want)
		}
	}
	return ""
}

func quoteChar(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("byte 0x%02X", c)
	}
	return fmt.Sprintf("%q", rune(c))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool { return isDigit(c) || isUpper(c) }

// strip removes hyphens and spaces (what people and spreadsheets add to
// identifiers) and upper-cases ASCII letters.
func strip(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == ' ' || c == '\t':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}
