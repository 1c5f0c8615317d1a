package ident

import (
	"errors"
	"testing"
)

// checkCase is one identifier and the exact message expected ("" = valid).
type checkCase struct {
	in   string
	want string
}

func runChecks(t *testing.T, check func(string) error, cases []checkCase) {
	t.Helper()
	for _, c := range cases {
		err := check(c.in)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: unexpected error: %v", c.in, err)
		case c.want != "" && err == nil:
			t.Errorf("%q: accepted, want error %q", c.in, c.want)
		case c.want != "" && err.Error() != c.want:
			t.Errorf("%q:\n got %q\nwant %q", c.in, err.Error(), c.want)
		}
	}
}

func TestCheckISRC(t *testing.T) {
	runChecks(t, CheckISRC, []checkCase{
		// Published: the ISRC handbook's example and ISRCs of the DDEX samples.
		{"USRC17607839", ""},
		{"US-RC1-76-07839", ""},
		{"us rc1 76 07839", ""},
		{"GBAYC1700598", ""},
		{"JPTO09404900", ""},
		{"", `ISRC "": empty`},
		{"USRC1760783", `ISRC "USRC1760783": 11 characters, expected 12 (CC-XXX-YY-NNNNN, e.g. USRC17607839)`},
		{"USRC176078390", `ISRC "USRC176078390": 13 characters, expected 12 (CC-XXX-YY-NNNNN, e.g. USRC17607839)`},
		{"1SRC17607839", `ISRC "1SRC17607839": character 1 is '1', expected a letter A-Z (the country code)`},
		{"US_C17607839", `ISRC "US_C17607839": character 3 is '_', expected a letter or digit (the registrant code)`},
		{"USRC1A607839", `ISRC "USRC1A607839": character 6 is 'A', expected a digit (the year)`},
		{"USRC1760783O", `ISRC "USRC1760783O": character 12 is 'O', expected a digit (the designation code)`},
		{"USRC1760\x00839", `ISRC "USRC1760\x00839": character 9 is byte 0x00, expected a digit (the designation code)`},
	})
}

func TestNormalizeISRC(t *testing.T) {
	for in, want := range map[string]string{
		"us-rc1-76-07839":  "USRC17607839",
		" GB AYC 17 00598": "GBAYC1700598",
		"USRC17607839":     "USRC17607839",
	} {
		if got := NormalizeISRC(in); got != want {
			t.Errorf("NormalizeISRC(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDuplicateISRCs(t *testing.T) {
	got := DuplicateISRCs([]string{"USRC17607839", "GBAYC1700598", "us-rc1-76-07839", "", "", "GBAYC1700599"})
	if len(got) != 1 || len(got["USRC17607839"]) != 2 || got["USRC17607839"][0] != 0 || got["USRC17607839"][1] != 2 {
		t.Fatalf("DuplicateISRCs = %v, want only USRC17607839 at [0 2] (empty ISRCs are not duplicates)", got)
	}
	if d := DuplicateISRCs([]string{"USRC17607839", "GBAYC1700598"}); len(d) != 0 {
		t.Fatalf("distinct ISRCs reported as duplicates: %v", d)
	}
}

func TestCheckUPC(t *testing.T) {
	runChecks(t, CheckUPC, []checkCase{
		// GS1's example EAN-13, the Wikipedia UPC-A and EAN-13 examples,
		// and the 12-digit ICPN of the DDEX ERN 4.3 single sample.
		{"5901234123457", ""},
		{"036000291452", ""},
		{"4006381333931", ""},
		{"190295810726", ""},
		{"0 36000 29145 2", ""},
		{"", `UPC "": empty`},
		{"5901234123458", `UPC "5901234123458": check digit is 8, expected 7`},
		{"036000291450", `UPC "036000291450": check digit is 0, expected 2`},
		{"36000291452", `UPC "36000291452": 11 digits, expected 12 (UPC), 13 (EAN) or 14 (GTIN-14)`},
		{"00094631432057", ""}, // a GTIN-14: the DDEX 4.3 album sample's ICPN
		{"59012341234576", ""},
		{"59012341234570", `UPC "59012341234570": check digit is 0, expected 6`},
		{"590123412345761", `UPC "590123412345761": 15 digits, expected 12 (UPC), 13 (EAN) or 14 (GTIN-14)`},
		{"590123412345X", `UPC "590123412345X": character 13 is 'X', expected a digit`},
		{"5.901234e+12", `UPC "5.901234e+12": character 2 is '.', expected a digit`},
	})
}

func TestUPCCheckDigit(t *testing.T) {
	for body, want := range map[string]byte{
		"590123412345":  '7',
		"03600029145":   '2',
		"400638133393":  '1',
		"0009463143205": '7', // GTIN-14 of the DDEX 4.3 album sample
	} {
		got, err := UPCCheckDigit(body)
		if err != nil || got != want {
			t.Errorf("UPCCheckDigit(%q) = %c, %v; want %c", body, got, err, want)
		}
		if len(body) == 11 || len(body) == 12 {
			if err := CheckUPC(body + string(got)); err != nil {
				t.Errorf("CheckUPC refuses the number UPCCheckDigit completed: %v", err)
			}
		}
	}
	for _, bad := range []string{"", "59012341234a"} {
		if _, err := UPCCheckDigit(bad); err == nil {
			t.Errorf("UPCCheckDigit(%q) accepted", bad)
		}
	}
}

func TestCheckGRid(t *testing.T) {
	runChecks(t, CheckGRid, []checkCase{
		// The GRid standard's example and the GRid of the DDEX 4.x album samples.
		{"A12425GABC1234002M", ""},
		{"A1-2425G-ABC1234002-M", ""},
		{"a1-2425g-abc1234002-m", ""},
		{"A10302B0003989564F", ""},
		{"", `GRid "": empty`},
		{"A12425GABC1234002X", `GRid "A12425GABC1234002X": check character is X, expected M`},
		{"A12425GABC1234002", `GRid "A12425GABC1234002": 17 characters, expected 18 (A1 + 5-character issuer + 10-character release number + check character)`},
		{"B12425GABC1234002M", `GRid "B12425GABC1234002M": starts with "B1", expected A1`},
		{"A12425GABC12340_2M", `GRid "A12425GABC12340_2M": character 16 is '_', expected a letter or digit`},
	})
}

func TestCheckISNI(t *testing.T) {
	runChecks(t, CheckISNI, []checkCase{
		// ORCID's documented example iDs (ORCID iDs are ISNI-block
		// identifiers with the same ISO 7064 Mod 11-2 check) and ISNIs
		// written in the usual groups of four.
		{"0000000218250097", ""},
		{"0000-0002-1825-0097", ""},
		{"0000-0001-5109-3700", ""},
		{"0000-0002-1694-233X", ""},
		{"0000 0002 1694 233x", ""},
		{"0000 0001 2146 438X", ""},
		{"0000 0001 2103 2683", ""},
		{"", `ISNI "": empty`},
		{"0000 0001 2103 2684", `ISNI "0000 0001 2103 2684": check character is 4, expected 3`},
		{"0000 0002 1694 2330", `ISNI "0000 0002 1694 2330": check character is 0, expected X`},
		{"0000 0001 2103 268", `ISNI "0000 0001 2103 268": 15 characters, expected 16 (15 digits and a check character 0-9 or X)`},
		{"0000 000X 2103 2683", `ISNI "0000 000X 2103 2683": character 8 is 'X', expected a digit`},
		{"0000 0001 2103 268Y", `ISNI "0000 0001 2103 268Y": character 16 is 'Y', expected a digit or X (the check character)`},
	})
}

func TestCheckDPID(t *testing.T) {
	runChecks(t, CheckDPID, []checkCase{
		// DPIDs published in DDEX's standards and sample messages.
		{"PADPIDA2014122301Q", ""},
		{"PADPIDA2007050901U", ""},
		{"PADPIDA2009101501Y", ""},
		{"PADPIDA2013042401U", ""},
		{" PADPIDA2014122301Q ", ""},
		{"", `DPID "": empty`},
		{"PADPIDA2014122301X", `DPID "PADPIDA2014122301X": check character is X, expected Q`},
		{"PADPIDA0000000001A", `DPID "PADPIDA0000000001A": check character is A, expected O`},
		{"PADPID2014122301Q", `DPID "PADPID2014122301Q": does not start with PADPIDA`},
		{"padpida2014122301q", `DPID "padpida2014122301q": does not start with PADPIDA`},
		{"PADPIDA2014122301", `DPID "PADPIDA2014122301": 17 characters, expected 18 (PADPIDA + 10 letters or digits + check character)`},
		{"PADPIDA201412230aQ", `DPID "PADPIDA201412230aQ": character 17 is 'a', expected a digit or capital letter`},
	})
}

func TestCheckCharFunctions(t *testing.T) {
	cases := []struct {
		name string
		fn   func(string) (byte, error)
		body string
		want byte
	}{
		{"GRid", GRidCheckChar, "A12425GABC1234002", 'M'},
		{"GRid hyphens", GRidCheckChar, "A1-2425G-ABC1234002", 'M'},
		{"ISNI", ISNICheckChar, "000000021694233", 'X'},
		{"ISNI spaces", ISNICheckChar, "0000 0001 2103 268", '3'},
		{"DPID", DPIDCheckChar, "PADPIDA2014122301", 'Q'},
		{"DPID", DPIDCheckChar, "PADPIDA3897722461", 'G'},
	}
	for _, c := range cases {
		got, err := c.fn(c.body)
		if err != nil || got != c.want {
			t.Errorf("%s(%q) = %q, %v; want %q", c.name, c.body, got, err, c.want)
		}
	}
	for _, bad := range []struct {
		fn   func(string) (byte, error)
		body string
	}{
		{GRidCheckChar, "A12425GABC123400"}, {GRidCheckChar, "A12425GABC123400*"},
		{ISNICheckChar, "00000002169423"}, {ISNICheckChar, "00000002169423A"},
		{DPIDCheckChar, "PADPIDA201412230"}, {DPIDCheckChar, "XADPIDA2014122301"}, {DPIDCheckChar, "PADPIDA201412230-"},
	} {
		if _, err := bad.fn(bad.body); err == nil {
			t.Errorf("check character of %q accepted", bad.body)
		}
	}
}

// TestGeneratedIdentifiersVerify closes the loop: every identifier built
// with a check-character function passes its Check function, and changing
// the check character makes it fail with Expected set.
func TestGeneratedIdentifiersVerify(t *testing.T) {
	for i := 0; i < 500; i++ {
		n := i * 7919
		digits := func(k int) string {
			b := make([]byte, k)
			x := n
			for j := range b {
				b[j] = byte('0' + x%10)
				x = x/10 + j*3
			}
			return string(b)
		}
		alnum := func(k int) string {
			b := make([]byte, k)
			x := n
			for j := range b {
				b[j] = alnum36[(x+j*13)%36]
				x /= 3
			}
			return string(b)
		}
		gens := []struct {
			check func(string) error
			body  string
			char  func(string) (byte, error)
		}{
			{CheckUPC, digits(11), UPCCheckDigit},
			{CheckUPC, digits(12), UPCCheckDigit},
			{CheckGRid, "A1" + alnum(15), GRidCheckChar},
			{CheckISNI, digits(15), ISNICheckChar},
			{CheckDPID, "PADPIDA" + alnum(10), DPIDCheckChar},
		}
		for _, g := range gens {
			c, err := g.char(g.body)
			if err != nil {
				t.Fatalf("check character of %q: %v", g.body, err)
			}
			if err := g.check(g.body + string(c)); err != nil {
				t.Fatalf("generated %q refused: %v", g.body+string(c), err)
			}
			wrong := byte('0')
			if c == '0' {
				wrong = '1'
			}
			err = g.check(g.body + string(wrong))
			var ie *Error
			if !errors.As(err, &ie) || ie.Expected != c {
				t.Fatalf("%q with wrong check character: err %v, want Expected %c", g.body, err, c)
			}
		}
	}
}
