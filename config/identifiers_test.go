package config

import (
	"strings"
	"testing"
)

const identifiersConfig = `
[dsp.a]
transport = "sandbox"

[identifiers]
timezone = "Europe/Paris"
fill_missing = true
artists = "/etc/ferry/artists.toml"

[[identifiers.upc]]
prefix = "5059876"
references = "00000-99999"

[[identifiers.upc]]
name = "us"
prefix = "614141"
digits = 12

[[identifiers.isrc]]
country = "gb"
registrant = "exr"
designations = "00001-49999"
carry_over = true

[[identifiers.grid]]
issuer = "2425G"
`

func TestParseIdentifiers(t *testing.T) {
	cfg, err := Parse(identifiersConfig)
	if err != nil {
		t.Fatal(err)
	}
	id := cfg.Identifiers
	if !id.Enabled() || !id.FillMissing || id.Location().String() != "Europe/Paris" || id.Artists != "/etc/ferry/artists.toml" {
		t.Errorf("identifiers = %+v", id)
	}
	ranges := []struct {
		name        string
		width       int
		first, last uint64
		get         func() (uint64, uint64, error)
	}{
		{"upc[1]", 5, 0, 99999, id.UPC[0].Range},
		{"upc[2] (UPC-A, default range)", 5, 0, 99999, id.UPC[1].Range},
		{"isrc[1]", 5, 1, 49999, id.ISRC[0].Range},
		{"grid[1] (default range)", 10, 1, 9999999999, id.GRid[0].Range},
	}
	for _, r := range ranges {
		first, last, err := r.get()
		if err != nil || first != r.first || last != r.last {
			t.Errorf("%s range = %d-%d, %v; want %d-%d", r.name, first, last, err, r.first, r.last)
		}
	}
	if w := id.UPC[1].ReferenceWidth(); w != 5 {
		t.Errorf("UPC-A reference width = %d, want 5", w)
	}
	names := []string{id.UPC[0].BlockName(), id.UPC[1].BlockName(), id.ISRC[0].BlockName(), id.GRid[0].BlockName()}
	if strings.Join(names, ",") != "5059876,us,GBEXR,2425G" {
		t.Errorf("block names = %v", names)
	}
}

func TestIdentifiersErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"bad time zone", "timezone = \"Mars/Olympus\"", `identifiers.timezone = "Mars/Olympus"`},
		{"prefix not digits", "[[identifiers.upc]]\nprefix = \"50A9876\"", `identifiers.upc[1].prefix = "50A9876"`},
		{"prefix too long", "[[identifiers.upc]]\nprefix = \"505987612345\"", "identifiers.upc[1].references"},
		{"digits", "[[identifiers.upc]]\nprefix = \"5059876\"\ndigits = 14", "identifiers.upc[1].digits = 14"},
		{"reference wider than the room", "[[identifiers.upc]]\nprefix = \"5059876\"\nreferences = \"0-999999\"", "more than 5 digits"},
		{"reversed range", "[[identifiers.isrc]]\ncountry=\"GB\"\nregistrant=\"EXR\"\ndesignations = \"500-100\"", "greater than the last"},
		{"range without dash", "[[identifiers.isrc]]\ncountry=\"GB\"\nregistrant=\"EXR\"\ndesignations = \"500\"", "FIRST-LAST"},
		{"country", "[[identifiers.isrc]]\ncountry=\"G1\"\nregistrant=\"EXR\"", `identifiers.isrc[1].country = "G1"`},
		{"registrant", "[[identifiers.isrc]]\ncountry=\"GB\"\nregistrant=\"EX\"", `identifiers.isrc[1].registrant = "EX"`},
		{"issuer", "[[identifiers.grid]]\nissuer=\"2425\"", `identifiers.grid[1].issuer = "2425"`},
		{"same name twice", "[[identifiers.grid]]\nissuer=\"2425G\"\n[[identifiers.grid]]\nissuer=\"2425G\"\nreleases=\"1-5\"", `another grid block is named "2425G"`},
		{"unknown key", "[[identifiers.isrc]]\ncountry=\"GB\"\nregistrant=\"EXR\"\ncarryover = true", `identifiers.isrc[1].carryover: unknown key (did you mean "carry_over"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "[dsp.a]\ntransport = \"sandbox\"\n[identifiers]\n" + tt.text + "\n"
			_, err := Parse(text)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
