package ident

import "testing"

// The Make functions build identifiers their Check functions accept, with
// the parts in the documented places.

func TestMakeUPC(t *testing.T) {
	cases := []struct {
		prefix string
		ref    uint64
		digits int
		want   string // "" = error
	}{
		{"5059876", 42, 13, "5059876000428"},
		{"036000", 29145, 12, "036000291452"}, // the GS1 UPC-A example
		{"400638", 133393, 13, "4006381333931"},
		{"5059876", 100000, 13, ""}, // reference wider than the 5 digits left
		{"5059876", 1, 14, ""},
		{"50598a6", 1, 13, ""},
		{"505987612345", 1, 13, ""}, // no room for a reference
	}
	for _, c := range cases {
		got, err := MakeUPC(c.prefix, c.ref, c.digits)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("MakeUPC(%q, %d, %d) = %q, want an error", c.prefix, c.ref, c.digits, got)
		case c.want != "" && (err != nil || got != c.want):
			t.Errorf("MakeUPC(%q, %d, %d) = %q, %v; want %q", c.prefix, c.ref, c.digits, got, err, c.want)
		case c.want != "":
			if err := CheckUPC(got); err != nil {
				t.Errorf("MakeUPC made %q, which CheckUPC refuses: %v", got, err)
			}
		}
	}
}

func TestMakeISRC(t *testing.T) {
	got, err := MakeISRC("us", "RC1", 1976, 7839)
	if err != nil || got != "USRC17607839" {
		t.Fatalf("MakeISRC = %q, %v; want USRC17607839", got, err)
	}
	c, r, yy, d, err := ISRCParts("US-RC1-76-07839")
	if err != nil || c != "US" || r != "RC1" || yy != 76 || d != 7839 {
		t.Errorf("ISRCParts = %s %s %d %d %v", c, r, yy, d, err)
	}
	for _, bad := range []struct {
		country, registrant string
		year, designation   int
	}{{"U", "RC1", 2026, 1}, {"U1", "RC1", 2026, 1}, {"US", "RC", 2026, 1}, {"US", "RC1", 2026, 100000}, {"US", "RC1", -1, 1}} {
		if s, err := MakeISRC(bad.country, bad.registrant, bad.year, bad.designation); err == nil {
			t.Errorf("MakeISRC(%v) = %q, want an error", bad, s)
		}
	}
	if _, _, _, _, err := ISRCParts("USRC1760783"); err == nil {
		t.Error("ISRCParts accepted 11 characters")
	}
}

func TestMakeGRid(t *testing.T) {
	// The GRid handbook's example, A1-2425G-ABC1234002-M, has a letter in
	// its release number; ferry numbers releases with digits only.
	got, err := MakeGRid("2425g", 1234002)
	if err != nil {
		t.Fatal(err)
	}
	if got[:17] != "A12425G0001234002" {
		t.Errorf("MakeGRid = %q, want A12425G0001234002 + check character", got)
	}
	if err := CheckGRid(got); err != nil {
		t.Errorf("MakeGRid made %q, which CheckGRid refuses: %v", got, err)
	}
	want, _ := GRidCheckChar(got[:17])
	if got[17] != want {
		t.Errorf("check character %c, GRidCheckChar says %c", got[17], want)
	}
	for _, bad := range []struct {
		issuer string
		n      uint64
	}{{"2425", 1}, {"2425G!", 1}, {"2425G", 10_000_000_000}} {
		if s, err := MakeGRid(bad.issuer, bad.n); err == nil {
			t.Errorf("MakeGRid(%q, %d) = %q, want an error", bad.issuer, bad.n, s)
		}
	}
}
