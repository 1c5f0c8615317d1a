package validate

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/erntest"
)

// ernMessageName is the name the tests give a dropped ERN message.
const ernMessageName = "5901234123457.xml"

// ernDrop replaces the folder's release.toml by the release's ERN message
// in version v, edited by edit into the shape a case needs; the message
// must be schema-valid.
func ernDrop(v ern.Version, edit func(root *etree.Element)) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		writeERN(t, dir, ernMessage(t, dir, v, edit))
	}
}

// ernMessage writes the folder's release as an ERN message in v, edited.
func ernMessage(t testing.TB, dir string, v ern.Version, edit func(root *etree.Element)) []byte {
	t.Helper()
	rel, ps := Load(dir)
	if len(ps) > 0 {
		t.Fatalf("base release: %v", ps)
	}
	msg := &ern.Message{Header: ern.Header{MessageID: "M1", ThreadID: "T1",
		Sender: ern.Party{DPID: "PADPIDA3897722461G", Name: "Example Records"}, Recipient: ern.Party{DPID: "PADPIDA2009101501Y", Name: "Example DSP"},
		Created: testNow}, Release: rel.Model}
	b, err := ern.Marshal(v, msg)
	if err != nil {
		t.Fatal(err)
	}
	if edit == nil {
		return b
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		t.Fatal(err)
	}
	edit(doc.Root())
	doc.Indent(2)
	out, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	erntest.Validate(t, erntest.Schema(t, v.Dir()), out)
	return out
}

func writeERN(t testing.TB, dir string, msg []byte) {
	t.Helper()
	os.Remove(filepath.Join(dir, ReleaseFileName))
	writeTestFile(t, filepath.Join(dir, ernMessageName), string(msg))
}

func removeAll(e *etree.Element, path string) {
	for _, c := range e.FindElements(path) {
		c.Parent().RemoveChild(c)
	}
}

// ernBadReleases are the table's cases for releases dropped as ERN
// messages.
func ernBadReleases() []badRelease {
	return []badRelease{
		{name: "ERN video album", files: ernDrop(ern.V43, func(root *etree.Element) {
			root.FindElement("./ReleaseList/Release/ReleaseType").SetText("VideoAlbum")
		}), rule: ruleERNUnsupported, where: "ReleaseList/Release[R0]/ReleaseType", phrase: "VideoAlbum is a video album"},
		{name: "ERN recording outside the main release", files: ernDrop(ern.V43, func(root *etree.Element) {
			rl := root.SelectElement("ResourceList")
			seg := rl.SelectElement("SoundRecording").Copy()
			seg.SelectElement("ResourceReference").SetText("A90")
			removeAll(seg, "./SoundRecordingEdition/TechnicalDetails")
			rl.InsertChildAt(rl.SelectElement("Image").Index(), seg)
		}), rule: ruleERNLeftOut, where: "SoundRecording[A90]", phrase: "not in the main release's ResourceGroup"},
		{name: "ERN without ReleaseDate", files: ernDrop(ern.V43, func(root *etree.Element) {
			removeAll(root, "./ReleaseList/Release/ReleaseDate")
		}), rule: ruleERNDerived, where: "release_date", phrase: "the earliest deal start"},
		{name: "ERN without DealList", files: ernDrop(ern.V43, func(root *etree.Element) {
			removeAll(root, "./DealList")
		}), rule: ruleRequired, where: "deals", phrase: "no DealList (deals sent separately): ferry never reads that as a takedown"},
		{name: "ERN purge", files: func(t *testing.T, dir string) {
			rel, _ := Load(dir)
			msg := &ern.Message{Kind: ern.Purge, Header: ern.Header{MessageID: "M1", Created: testNow,
				Sender: ern.Party{DPID: "PADPIDA3897722461G"}}, Release: rel.Model}
			b, err := ern.Marshal(ern.V43, msg)
			if err != nil {
				t.Fatal(err)
			}
			writeERN(t, dir, b)
		}, rule: ruleAction, where: "action", phrase: "PurgeReleaseMessage: it asks to remove the release entirely. ferry reads it as a purge, never as a takedown"},
	}
}

// TestERNAudioWithVideoIsDelivered: an audio release whose main release
// also lists a video is valid; the video is left out with a warning.
func TestERNAudioWithVideoIsDelivered(t *testing.T) {
	dir := goodRelease(t)
	ernDrop(ern.V43, func(root *etree.Element) {
		rl := root.SelectElement("ResourceList")
		sr := rl.SelectElement("SoundRecording")
		v := etree.NewElement("Video")
		v.CreateElement("ResourceReference").SetText("A91")
		v.CreateElement("Type").SetText("ShortFormMusicalWorkVideo")
		v.CreateElement("VideoEdition").CreateElement("ResourceId").CreateElement("ISRC").SetText("GBEXR2690001")
		for _, tag := range []string{"DisplayTitleText", "DisplayTitle", "DisplayArtistName", "DisplayArtist"} {
			v.AddChild(sr.SelectElement(tag).Copy())
		}
		v.CreateElement("Duration").SetText("PT3M")
		v.CreateElement("ParentalWarningType").SetText("NotExplicit")
		rl.InsertChildAt(rl.SelectElement("Image").Index(), v)
		rg := root.FindElement("./ReleaseList/Release/ResourceGroup")
		item := rg.SelectElement("ResourceGroupContentItem").Copy()
		item.SelectElement("SequenceNumber").SetText("3")
		item.SelectElement("ReleaseResourceReference").SetText("A91")
		rg.InsertChildAt(rg.SelectElement("LinkedReleaseResourceReference").Index(), item)
	})(t, dir)
	rel, ps := testValidator(defaultRules).Validate(dir)
	if ps.Errors() > 0 {
		t.Fatalf("errors:\n%s", ps.Error())
	}
	if _, ok := findProblem(ps, ruleERNLeftOut, "Video[A91]", "left out"); !ok {
		t.Errorf("no warning about the video:\n%s", ps.Error())
	}
	if len(rel.Model.Tracks) != 2 {
		t.Errorf("%d tracks, want the 2 sound recordings", len(rel.Model.Tracks))
	}
}

// TestERNHints: problems of a release read from a message say what to
// change in the message, never "in release.toml".
func TestERNHints(t *testing.T) {
	dir := goodRelease(t)
	ernDrop(ern.V43, func(root *etree.Element) {
		removeAll(root, "./ReleaseList/Release/ReleaseDate")
		removeAll(root, "./ReleaseList/Release/OriginalReleaseDate")
		removeAll(root, "./DealList")
		root.FindElement("./ResourceList/SoundRecording/SoundRecordingEdition/TechnicalDetails/DeliveryFile/File/URI").SetText("01-first-light-missing.wav")
	})(t, dir)
	_, ps := testValidator(defaultRules).Validate(dir)
	for _, p := range ps {
		if strings.Contains(p.Fix, "release.toml") && p.Rule != ruleRequired || strings.Contains(p.Fix, "in release.toml") {
			t.Errorf("hint names release.toml: %s", p)
		}
	}
	if p, ok := findProblem(ps, ruleRequired, "release_date", "missing"); !ok || !strings.Contains(p.Fix, "add a ReleaseDate to the Release, or a deal with a ValidityPeriod/StartDate in "+ernMessageName) {
		t.Errorf("release date hint: %s\n%s", p, ps.Error())
	}
	if p, ok := findProblem(ps, ruleFileMissing, "tracks[1].file", "does not exist"); !ok || !strings.Contains(p.Fix, ernMessageName) {
		t.Errorf("missing file hint: %s", p)
	}
}

// TestERNMessageNotARegularFile: a message that is a link, a FIFO or a
// folder is reported as what it is.
func TestERNMessageNotARegularFile(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		make       func(t *testing.T, path string)
	}{
		{"symlink", "message.xml is a symbolic link", func(t *testing.T, p string) {
			writeTestFile(t, p+".real", "<x/>")
			if err := os.Symlink(filepath.Base(p)+".real", p); err != nil {
				t.Fatal(err)
			}
		}},
		{"FIFO", "message.xml is a named pipe (FIFO)", func(t *testing.T, p string) { mkfifo(t, p) }},
		{"folder", "message.xml is a folder", func(t *testing.T, p string) {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := goodRelease(t)
			os.Remove(filepath.Join(dir, ReleaseFileName))
			tc.make(t, filepath.Join(dir, "message.xml"))
			_, ps := Load(dir)
			if len(ps) != 1 || !strings.Contains(ps[0].What, tc.want) || strings.Contains(ps[0].What, "nor an ERN XML message") ||
				!strings.Contains(ps[0].Fix, "the message file itself") {
				t.Errorf("problems %v, want one saying %q", ps, tc.want)
			}
		})
	}
}

// TestERNEncodingInFolder: a UTF-16 message in a folder validates.
func TestERNEncodingInFolder(t *testing.T) {
	dir := goodRelease(t)
	msg := ernMessage(t, dir, ern.V432, nil)
	msg = bytes.Replace(msg, []byte(`encoding="UTF-8"`), []byte(`encoding="UTF-16"`), 1)
	u := []byte{0xFF, 0xFE}
	for _, r := range string(msg) {
		if r > 0xFFFF {
			t.Fatal("test message outside the BMP")
		}
		u = append(u, byte(r), byte(r>>8))
	}
	erntest.Validate(t, erntest.Schema(t, ern.V432.Dir()), u)
	writeERN(t, dir, u)
	if _, ps := testValidator(defaultRules).Validate(dir); len(ps) > 0 {
		t.Errorf("problems:\n%s", ps.Error())
	}
}

// TestAsPerContractPerDSP: AsPerContract passes for a DSP on ERN 4.1.1
// and is an error for one on 4.3.
func TestAsPerContractPerDSP(t *testing.T) {
	dir := goodRelease(t)
	editTOML(t, dir, replace(`commercial_model = "SubscriptionModel"`, `commercial_model = "AsPerContract"`))
	v := &Validator{DSPs: []string{"old", "new"}, DefaultDSPs: []string{"old", "new"}, Now: func() time.Time { return testNow },
		ERNVersion: func(dsp string) string { return map[string]string{"old": "4.1.1", "new": "4.3"}[dsp] }}
	_, ps := v.Validate(dir)
	p, ok := findProblem(ps, ruleCommercialModel, "deals[1].commercial_model", "AsPerContract is a value of the ERN 3.8.2, 4.1 and 4.1.1 lists only")
	if !ok || p.DSP != "new" {
		t.Errorf("want one commercial-model error for DSP new only; got:\n%s", ps.Error())
	}
	if len(ps) != 1 {
		t.Errorf("want only that problem; got:\n%s", ps.Error())
	}
	_ = config.Rules{}
}

func TestGroupedProblems(t *testing.T) {
	var ps Problems
	for i := 1; i <= 5000; i++ {
		ps = append(ps, Problem{Severity: Warning, Rule: ruleDealEnded, Where: fmt.Sprintf("deals[%d].end_date", i), What: "the deal ended", Fix: "remove it"})
	}
	ps = append(ps, Problem{Severity: Error, Rule: ruleUPC, Where: "upc", What: "bad", Fix: "fix it"})
	g := ps.Grouped()
	if len(g) != 5 {
		t.Fatalf("%d problems, want 3 listed, 1 summary and the UPC:\n%s", len(g), g.Error())
	}
	if !strings.Contains(g[3].What, "and 4,997 more like it") || g[3].Where != "deals[4].end_date … deals[5000].end_date" {
		t.Errorf("summary %s", g[3])
	}
	if g.Warnings() != 4 || g.Errors() != 1 {
		t.Errorf("%d warnings, %d errors", g.Warnings(), g.Errors())
	}
	if small := ps[:10].Grouped(); len(small) != 10 {
		t.Errorf("10 problems of a kind are listed in full; got %d", len(small))
	}
}
