package validate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/ern"
)

// TestERNMessageInsteadOfReleaseTOML drops the example release with its
// metadata as an ERN message (in every version) instead of release.toml,
// and checks it loads into the same release and validates.
func TestERNMessageInsteadOfReleaseTOML(t *testing.T) {
	want, problems := Load(goodRelease(t))
	if len(problems) > 0 {
		t.Fatalf("base release: %v", problems)
	}
	for _, v := range ern.Versions {
		t.Run(string(v), func(t *testing.T) {
			dir := goodRelease(t)
			// File references are the user's names, at the folder's top.
			msg := &ern.Message{Header: ern.Header{MessageID: "M1", ThreadID: "T1",
				Sender: ern.Party{DPID: "PADPIDA3897722461G", Name: "Example Records"}, Created: testNow}, Release: want.Model}
			var buf bytes.Buffer
			if err := ern.Write(&buf, v, msg); err != nil {
				t.Fatal(err)
			}
			os.Remove(filepath.Join(dir, ReleaseFileName))
			writeTestFile(t, filepath.Join(dir, "5901234123457.xml"), buf.String())

			rel, ps := testValidator(defaultRules).Validate(dir)
			if ps.Errors() > 0 {
				t.Fatalf("problems: %v", ps)
			}
			got := rel.Model
			if got.UPC != want.Model.UPC || got.Title != want.Model.Title || len(got.Tracks) != len(want.Model.Tracks) {
				t.Fatalf("read %+v", got)
			}
			for i, tr := range got.Tracks {
				if tr.ISRC != want.Model.Tracks[i].ISRC || tr.Duration != want.Model.Tracks[i].Duration ||
					tr.Audio.File.Name != want.Model.Tracks[i].Audio.File.Name {
					t.Errorf("track %d: %+v", i+1, tr)
				}
			}
		})
	}
}

func TestERNDropProblems(t *testing.T) {
	tests := []struct {
		name, want string
		files      map[string]string
	}{
		{"two XML files", "holds 2 XML files", map[string]string{"a.xml": "<x/>", "b.xml": "<y/>"}},
		{"not an ERN message", "not an ERN message ferry can read", map[string]string{"a.xml": "<NotERN/>"}},
		{"no metadata at all", "no release.toml (nor an ERN XML message)", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := goodRelease(t)
			os.Remove(filepath.Join(dir, ReleaseFileName))
			for name, text := range tt.files {
				writeTestFile(t, filepath.Join(dir, name), text)
			}
			_, ps := Load(dir)
			if len(ps) != 1 || ps[0].Rule != ruleReleaseFile || !strings.Contains(ps[0].What, tt.want) {
				t.Errorf("problems %v, want one %s problem saying %q", ps, ruleReleaseFile, tt.want)
			}
		})
	}
}
