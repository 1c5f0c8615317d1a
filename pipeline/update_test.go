package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/erntest"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/media/mediatest"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// TestUpdatesSendOnlyWhatChanged delivers a release, then drops it again
// (same UPC) with one change, and checks which files the update put on a
// real OpenSSH server, by DDEX Release Profiles rule 12.
func TestUpdatesSendOnlyWhatChanged(t *testing.T) {
	srv := sshdtest.Start(t)
	fakeDSP(t, srv.Root, accepted)
	e := runEngine(t, sshdConfig(t, srv, nil))

	const (
		track1 = "T1_SoundRecording_01-01.wav"
		track2 = "T2_SoundRecording_01-02.flac"
		cover  = "Image_FrontCover.jpg"
	)
	tests := []struct {
		name   string
		change func(t *testing.T, dir string, n int)
		sent   []string // resource name suffixes uploaded with the update, besides the message
	}{
		{"metadata only", func(t *testing.T, dir string, n int) {
			editTOML(t, dir, `title = "Test Release`, `title = "Test Release (Remastered)`)
		}, nil},
		{"one audio file changed", func(t *testing.T, dir string, n int) {
			must(t, mediatest.WriteWAV(filepath.Join(dir, "01.wav"), 44100, 16, 2, 300*time.Millisecond))
		}, []string{track1, track2}},
		{"artwork changed", func(t *testing.T, dir string, n int) {
			must(t, mediatest.WriteJPEG(filepath.Join(dir, "cover.jpg"), 3200, 3200))
		}, []string{cover}},
		{"track added", func(t *testing.T, dir string, n int) {
			must(t, mediatest.WriteWAV(filepath.Join(dir, "03.wav"), 44100, 16, 2, 250*time.Millisecond))
			appendTOML(t, dir, "\n[[tracks]]\nisrc = \"GBEXR2899999\"\ntitle = \"Three\"\nfile = \"03.wav\"\nnumber = 3\n")
		}, []string{"T3_SoundRecording_01-03.wav"}},
		{"track removed", func(t *testing.T, dir string, n int) {
			editTOML(t, dir, fmt.Sprintf("[[tracks]]\nisrc = \"GBEXR27%05d\"\ntitle = \"Two\"\nfile = \"02.flac\"\nnumber = 2\n", n), "")
			must(t, os.Remove(filepath.Join(dir, "02.flac")))
		}, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 200 + i
			name := "upd" + string(rune('a'+i))
			drop(t, e, name, n, releasetest.Options{})
			waitPath(t, filepath.Join(e.layout.Dir(Acknowledged), name+"@dsp"), 30*time.Second)
			first := deliveryFolders(t, srv.Root, n)

			staging := t.TempDir()
			dir := releasetest.Write(t, staging, name, n, releasetest.Options{})
			tt.change(t, dir, n)
			if err := os.Rename(dir, filepath.Join(e.layout.Dir(Inbox), name)); err != nil {
				t.Fatal(err)
			}
			waitPath(t, filepath.Join(e.layout.Dir(Acknowledged), name+"@dsp~2"), 30*time.Second)

			folders := deliveryFolders(t, srv.Root, n)
			if len(folders) != len(first)+1 {
				t.Fatalf("delivery folders %v, want one more than %v", folders, first)
			}
			update := folders[len(folders)-1]
			var sent []string
			filepath.WalkDir(update, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && filepath.Dir(p) == filepath.Join(update, "resources") {
					sent = append(sent, d.Name())
				}
				return nil
			})
			if len(sent) != len(tt.sent) {
				t.Errorf("update sent %v, want files ending in %v", sent, tt.sent)
			}
			for _, want := range tt.sent {
				if !slices.ContainsFunc(sent, func(s string) bool { return strings.HasSuffix(s, want) }) {
					t.Errorf("update sent %v, missing one ending in %s", sent, want)
				}
			}
			msg, err := os.ReadFile(filepath.Join(update, releasetest.UPC(n)+".xml"))
			if err != nil {
				t.Fatal(err)
			}
			erntest.Validate(t, erntest.Schema(t, "43"), msg)
			m, _, err := ern.Read(strings.NewReader(string(msg)))
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != ern.Update {
				t.Errorf("message kind %v, want update", m.Kind)
			}
		})
	}
}

// deliveryFolders lists the server's delivery folders for release n, oldest first.
func deliveryFolders(t *testing.T, root string, n int) []string {
	t.Helper()
	folders, _ := filepath.Glob(filepath.Join(root, "N_"+releasetest.UPC(n)+"_*"))
	sort.Strings(folders)
	return folders
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func editTOML(t *testing.T, dir, old, new string) {
	t.Helper()
	p := filepath.Join(dir, "release.toml")
	b, err := os.ReadFile(p)
	must(t, err)
	if !strings.Contains(string(b), old) {
		t.Fatalf("release.toml has no %q", old)
	}
	must(t, os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644))
}

func appendTOML(t *testing.T, dir, text string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "release.toml"), os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	defer f.Close()
	_, err = f.WriteString(text)
	must(t, err)
}
