package validate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/ident"
	"github.com/ferrydelivery/ferry/stages/identifiers"
)

// idBlocks are blocks that do not hold the example release's own codes
// (its ISRCs are GB-EXR-26-0000n); ownISRCBlock does.
var (
	idBlocks = config.Identifiers{
		UPC:  []config.UPCBlock{{Prefix: "5059876", References: "00000-00099"}},
		ISRC: []config.ISRCBlock{{Country: "GB", Registrant: "EXS"}},
		GRid: []config.GRidBlock{{Issuer: "2425G"}},
	}
	ownISRCBlock = config.Identifiers{ISRC: []config.ISRCBlock{{Country: "GB", Registrant: "EXR"}}}
)

// withIDs equips a validator with an allocator of cfg on a new root.
func withIDs(cfg config.Identifiers) func(t *testing.T, v *Validator) {
	return func(t *testing.T, v *Validator) { v.IDs = openIDs(t, t.TempDir(), cfg) }
}

func openIDs(t *testing.T, root string, cfg config.Identifiers) *identifiers.Allocator {
	t.Helper()
	a, err := identifiers.Open(root, &cfg, identifiers.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// validISNI makes a valid ISNI from 15 digits.
func validISNI(t testing.TB, body string) string {
	c, err := ident.ISNICheckChar(body)
	if err != nil {
		t.Fatal(err)
	}
	return body + string(c)
}

func identifierBadReleases() []badRelease {
	return []badRelease{
		{name: "auto without identifier blocks", toml: replace(`upc = "5901234123457"`, `upc = "auto"`),
			rule: ruleIDAuto, where: "upc", phrase: `upc is "auto" but ferry gave it no code: ferry has no identifier blocks configured`},
		{name: "auto previewed by ferry validate", toml: replace(`upc = "5901234123457"`, `upc = "auto"`),
			validator: func(t *testing.T, v *Validator) { v.Preview = PreviewFor(&config.Config{Identifiers: idBlocks}) },
			rule:      ruleIDAutoIntake, where: "upc", phrase: `upc is "auto": ferry allocates its code from the label's block when the folder is dropped`},
		{name: "auto previewed without a block of its kind", toml: replace(`isrc = "GB-EXR-26-00002"`, `isrc = "auto"`),
			validator: func(t *testing.T, v *Validator) {
				v.Preview = PreviewFor(&config.Config{Identifiers: config.Identifiers{UPC: idBlocks.UPC}})
			},
			rule: ruleIDAuto, where: "tracks[2].isrc", phrase: "ferry has no identifier blocks configured"},
		{name: "auto ISRC without an ISRC block", toml: replace(`isrc = "GB-EXR-26-00002"`, `isrc = "auto"`),
			validator: withIDs(config.Identifiers{UPC: idBlocks.UPC}),
			rule:      ruleIDAuto, where: "tracks[2].isrc", phrase: "no [[identifiers.isrc]] block is configured"},
		{name: "auto in a takedown", toml: func(testing.TB, string) string { return "action = \"takedown\"\nupc = \"auto\"\n" },
			validator: withIDs(idBlocks),
			rule:      ruleIDAuto, where: "upc", phrase: "a takedown withdraws a release the DSPs already have"},
		{name: "auto in inline tracks", toml: func(testing.TB, string) string {
			return `upc = "5901234123457"` + "\ntracks = [ { isrc = \"auto\", title = \"x\", file = \"01-first-light.wav\" } ]\n"
		}, validator: withIDs(idBlocks), rule: ruleIDAuto, where: "tracks[1].isrc", phrase: "cannot rewrite in place"},
		{name: "codes allocated for a release failing otherwise", toml: edits(replace(`upc = "5901234123457"`, `upc = "auto"`), replace(`title = "Harbour Lights"`, `title = ""`)),
			validator: withIDs(idBlocks),
			rule:      ruleIDAllocated, where: ReleaseFileName, phrase: "ferry allocated upc 5059876000008 and wrote them into release.toml; they are kept"},
		{name: "ISRC in the label's block never issued", validator: withIDs(ownISRCBlock),
			rule: ruleIDUnissued, where: "tracks[1].isrc", phrase: "GBEXR2600001 lies in the label's block GBEXR but ferry never allocated, reserved or imported it"},
		{name: "identifier journal damaged", validator: func(t *testing.T, v *Validator) {
			root := t.TempDir()
			v.IDs = openIDs(t, root, ownISRCBlock)
			journal := filepath.Join(root, identifiers.Dir, "journal.jsonl")
			f, err := os.OpenFile(journal, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("garbage\n{\"op\":\"seen\"}\n")
			f.Close()
		}, rule: ruleIDJournal, where: ReleaseFileName, phrase: "journal damaged"},
		{name: "ISNI differs from the artist registry", toml: replace(`roles = ["MainArtist"]`, `roles = ["MainArtist"]`+"\nisni = \"0000 0001 2103 2683\""),
			validator: func(t *testing.T, v *Validator) {
				reg, err := identifiers.ParseArtists("[[artists]]\nname = \"The Example Band\"\nisni = \"" + validISNI(t, "000000012103269") + "\"\n")
				if err != nil {
					t.Fatal(err)
				}
				v.Artists = reg
			},
			rule: ruleArtistISNI, where: "artists[1].isni", phrase: `"The Example Band" has ISNI 0000000121032683 here but`},
	}
}

// TestAutoAllocatedAndWrittenBack: "auto" values get codes at
// validation, written into release.toml with its comments and layout
// kept; validating again (a retry, a restart, the folder moved back from
// failed/) allocates nothing.
func TestAutoAllocatedAndWrittenBack(t *testing.T) {
	dir := goodRelease(t)
	editTOML(t, dir, edits(
		replace(`upc = "5901234123457"`, `upc = "auto"  # ferry allocates`),
		replace(`catalog_number = "EXR-0001"`, "catalog_number = \"EXR-0001\"\ngrid = \"auto\""),
		replace(`isrc = "GB-EXR-26-00001"`, `isrc = "auto"`),
		replace(`isrc = "GB-EXR-26-00002"`, `isrc = 'auto' # second`)))
	before, _ := os.ReadFile(filepath.Join(dir, ReleaseFileName))
	root := t.TempDir()
	v := testValidator(defaultRules)
	v.IDs = openIDs(t, root, idBlocks)
	rel, ps := v.Validate(dir)
	if len(ps) != 0 {
		t.Fatalf("problems:\n%s", ps.Error())
	}
	grid, _ := ident.MakeGRid("2425G", 1)
	want := []Allocation{{"upc", "5059876000008"}, {"grid", grid}, {"tracks[1].isrc", "GBEXS2600001"}, {"tracks[2].isrc", "GBEXS2600002"}}
	if len(rel.Allocated) != len(want) {
		t.Fatalf("allocated %v, want %v", rel.Allocated, want)
	}
	for i := range want {
		if rel.Allocated[i] != want[i] {
			t.Errorf("allocated[%d] = %v, want %v", i, rel.Allocated[i], want[i])
		}
	}
	if rel.Model.UPC != "5059876000008" || rel.Model.GRid != grid || rel.Model.Tracks[1].ISRC != "GBEXS2600002" {
		t.Errorf("model: UPC %s, GRid %s, ISRC %s", rel.Model.UPC, rel.Model.GRid, rel.Model.Tracks[1].ISRC)
	}
	after, _ := os.ReadFile(filepath.Join(dir, ReleaseFileName))
	wantText := strings.NewReplacer(`upc = "auto"  # ferry allocates`, `upc = "5059876000008"  # ferry allocates`,
		`grid = "auto"`, `grid = "`+grid+`"`,
		`isrc = "auto"`, `isrc = "GBEXS2600001"`,
		`isrc = 'auto' # second`, `isrc = "GBEXS2600002" # second`).Replace(string(before))
	if string(after) != wantText {
		t.Errorf("release.toml after validation:\n%s\nwant:\n%s", after, wantText)
	}

	// Again, and again from a copy (failed/ → inbox/ is a move; a
	// restarted daemon is a new allocator on the same root).
	v2 := testValidator(defaultRules)
	v2.IDs = openIDs(t, root, idBlocks)
	moved := filepath.Join(t.TempDir(), "release")
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	dir = moved
	for range 2 {
		rel, ps := v2.Validate(dir)
		if len(ps) != 0 || len(rel.Allocated) != 0 || rel.Model.UPC != "5059876000008" {
			t.Errorf("revalidation: allocated %v, UPC %s, problems:\n%s", rel.Allocated, rel.Model.UPC, ps.Error())
		}
	}
	if again, _ := os.ReadFile(filepath.Join(dir, ReleaseFileName)); string(again) != string(after) {
		t.Error("revalidation rewrote release.toml")
	}
	pools, err := v2.IDs.Pools()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pools {
		wantUsed := uint64(1)
		if p.Kind == identifiers.ISRC {
			wantUsed = 2
		}
		if p.Used != wantUsed || p.Unconfirmed != 0 {
			t.Errorf("pool %s %s: used %d, unconfirmed %d; want %d used, all confirmed", p.Kind, p.Block, p.Used, p.Unconfirmed, wantUsed)
		}
	}
}

// TestFillMissingInERNDrop: an ERN message without an ICPN and with a
// track without an ISRC gets codes when fill_missing is on, kept in
// ferry-ids.toml beside the untouched message; validating again
// allocates nothing. Without fill_missing the missing codes are errors.
func TestFillMissingInERNDrop(t *testing.T) {
	base, problems := Load(goodRelease(t))
	if len(problems) > 0 {
		t.Fatalf("base release: %v", problems)
	}
	for _, v := range []ern.Version{ern.V382, ern.V43} {
		t.Run(string(v), func(t *testing.T) {
			dir := goodRelease(t)
			m := *base.Model
			m.UPC = ""
			m.Tracks = append([]ern.Track(nil), m.Tracks...)
			m.Tracks[1].ISRC = ""
			msg := &ern.Message{Header: ern.Header{MessageID: "M1", ThreadID: "T1",
				Sender: ern.Party{DPID: "PADPIDA3897722461G", Name: "Example Records"}, Created: testNow}, Release: &m}
			var buf bytes.Buffer
			if err := ern.Write(&buf, v, msg); err != nil {
				t.Fatal(err)
			}
			os.Remove(filepath.Join(dir, ReleaseFileName))
			xmlPath := filepath.Join(dir, "release.xml")
			writeTestFile(t, xmlPath, buf.String())

			if _, ps := testValidator(defaultRules).Validate(dir); !hasProblem(ps, ruleRequired, "upc") || !hasProblem(ps, ruleRequired, "tracks[2].isrc") {
				t.Errorf("without fill_missing: %v", ps)
			}
			val := testValidator(defaultRules)
			val.IDs, val.FillMissing = openIDs(t, t.TempDir(), idBlocks), true
			rel, ps := val.Validate(dir)
			if ps.Errors() > 0 {
				t.Fatalf("problems:\n%s", ps.Error())
			}
			want := []Allocation{{"upc", "5059876000008"}, {"tracks[2].isrc", "GBEXS2600001"}}
			if len(rel.Allocated) != 2 || rel.Allocated[0] != want[0] || rel.Allocated[1] != want[1] {
				t.Errorf("allocated %v, want %v", rel.Allocated, want)
			}
			if rel.Model.UPC != "5059876000008" || rel.Model.Tracks[1].ISRC != "GBEXS2600001" || rel.Model.Tracks[0].ISRC != "GBEXR2600001" {
				t.Errorf("model: UPC %s, ISRCs %s %s", rel.Model.UPC, rel.Model.Tracks[0].ISRC, rel.Model.Tracks[1].ISRC)
			}
			if data, _ := os.ReadFile(xmlPath); string(data) != buf.String() {
				t.Error("the ERN message was changed")
			}
			// Loading alone (as packaging does) sees the codes; a second
			// validation allocates nothing.
			if again, _ := Load(dir); again.Model.UPC != "5059876000008" {
				t.Errorf("Load: UPC %q", again.Model.UPC)
			}
			if rel, ps := val.Validate(dir); len(rel.Allocated) != 0 || ps.Errors() > 0 {
				t.Errorf("revalidation allocated %v; %v", rel.Allocated, ps)
			}
		})
	}
}

func hasProblem(ps Problems, rule, where string) bool {
	for _, p := range ps {
		if p.Rule == rule && p.Where == where {
			return true
		}
	}
	return false
}
