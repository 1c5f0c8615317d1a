package identifiers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/erntest"
)

const registry = `
[[artists]]
name = "Aurora Vale"
isni = "0000 0001 2103 2683"
ipi = "52210040"

[[artists]]
name = "Mira Holt"
ipi = "00052210041"
`

func TestParseArtistsErrors(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"[[artists]]\nname = \"A\"\nisni = \"0000000121032684\"\n", `artists[1]: ISNI "0000000121032684": check character is 4, expected 3`},
		{"[[artists]]\nname = \"A\"\n[[artists]]\nname = \" a \"\n", `artists[2]: " a " is listed twice`},
		{"[[artists]]\nisni = \"0000000121032683\"\n", "artists[1]: name is missing"},
		{"[[artists]]\nname = \"A\"\nipi = \"12-34\"\n", `IPI "12-34" is not an IPI name number`},
		{"[[artists]]\nname = \"A\"\nisin = \"x\"\n", `unknown key "artists.isin"`},
	} {
		if _, err := ParseArtists(tt.text); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.text, err, tt.want)
		}
	}
}

// TestArtistsInjectedIntoERN: a release naming registered artists gets
// their ISNI and IPI in ERN 3.8.2 and 4.3 messages that the official
// XSDs accept; a release giving another ISNI keeps it and is reported.
func TestArtistsInjectedIntoERN(t *testing.T) {
	path := filepath.Join(t.TempDir(), "artists.toml")
	os.WriteFile(path, []byte(registry), 0o644)
	reg, err := LoadArtists(path)
	if err != nil {
		t.Fatal(err)
	}
	rel := &ern.Release{
		UPC: "5059876000107", Title: "Harbour Lights", DisplayArtist: "Aurora Vale", Label: "Example Records",
		Artists: []ern.Artist{{Name: "aurora  vale", Roles: []string{"MainArtist"}}},
		Tracks: []ern.Track{
			{ISRC: "GBEXR2600001", Title: "Low Tide", Duration: 200 * time.Second, Disc: 1, Number: 1,
				Contributors: []ern.Artist{{Name: "Mira Holt", Roles: []string{"Composer"}}}},
			{ISRC: "GBEXR2600002", Title: "Breakwater", Duration: 180 * time.Second, Disc: 1, Number: 2,
				Artists: []ern.Artist{{Name: "Aurora Vale", Roles: []string{"MainArtist"}, ISNI: "0000000121032691"}}},
		},
	}
	mm := reg.Inject(rel)
	if len(mm) != 1 || mm[0].Where != "tracks[2].artists[1].isni" || mm[0].Registered != "0000000121032683" {
		t.Errorf("mismatches = %+v, want tracks[2].artists[1] only", mm)
	}
	if a := rel.Artists[0]; a.ISNI != "0000000121032683" || a.IPI != "52210040" {
		t.Errorf("release artist after injection: %+v", a)
	}
	if c := rel.Tracks[0].Contributors[0]; c.ISNI != "" || c.IPI != "00052210041" {
		t.Errorf("contributor after injection: %+v", c)
	}
	if a := rel.Tracks[1].Artists[0]; a.ISNI != "0000000121032691" {
		t.Errorf("the release's own ISNI was replaced: %+v", a)
	}
	msg := &ern.Message{
		Header: ern.Header{ThreadID: "t1", MessageID: "m1", Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			Sender:    ern.Party{DPID: "PADPIDA2014122301Q", Name: "Example Records"},
			Recipient: ern.Party{DPID: "PADPIDA2009101501Y", Name: "Example DSP"}},
		Kind: ern.NewRelease, Release: rel,
	}
	for _, v := range []ern.Version{ern.V382, ern.V43} {
		doc, err := ern.Marshal(v, msg)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		for _, want := range []string{"0000000121032683", "52210040"} {
			if !strings.Contains(string(doc), want) {
				t.Errorf("ERN %s lacks the injected %s", v, want)
			}
		}
		erntest.Validate(t, erntest.Schema(t, v.Dir()), doc)
	}
}
