package bulk

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/transporttest"
)

func newTransport(t *testing.T, o Options) *Transport {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	tr, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

func TestConformance(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) delivery.Transport {
		return newTransport(t, Options{})
	}, transporttest.Options{})
}

// folderFiles lists the names in dir, temporary archives included.
func folderFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// zipNames lists an archive's entries, checking each reads back whole.
func zipNames(t *testing.T, p string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc) // checks the CRC
		rc.Close()
		if err != nil {
			t.Fatalf("%s in %s: %v", f.Name, p, err)
		}
		if f.Flags&0x8 != 0 {
			t.Errorf("%s has a data descriptor: some unzip libraries refuse it for stored entries", f.Name)
		}
		out[f.Name] = b
	}
	return out
}

func put(t *testing.T, tr *Transport, p string, data []byte) {
	t.Helper()
	if err := tr.Put(context.Background(), p, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("Put %s: %v", p, err)
	}
}

// TestArchiveAppearsWhenTheMessageArrives: resources go into a hidden
// temporary archive; the message (an XML file directly in the delivery
// folder) completes it, and only then does the archive appear, whole.
func TestArchiveAppearsWhenTheMessageArrives(t *testing.T) {
	audio := transporttest.Data(3<<20, 1)
	for _, tt := range []struct {
		layout string
		want   []string
	}{
		{LayoutFolder, []string{"N_1_2/resources/a.wav", "N_1_2/resources/b.jpg", "N_1_2/1.xml"}},
		{LayoutContents, []string{"resources/a.wav", "resources/b.jpg", "1.xml"}},
		{LayoutFlat, []string{"a.wav", "b.jpg", "1.xml"}},
	} {
		t.Run(tt.layout, func(t *testing.T) {
			tr := newTransport(t, Options{Layout: tt.layout})
			put(t, tr, "N_1_2/resources/a.wav", audio)
			put(t, tr, "N_1_2/resources/b.jpg", []byte("jpeg"))
			files := folderFiles(t, tr.Dir())
			if len(files) != 1 || !strings.HasPrefix(files[0], ".N_1_2.") || !strings.HasSuffix(files[0], TempSuffix) {
				t.Fatalf("before the message the folder holds %v; want one hidden temporary archive", files)
			}
			put(t, tr, "N_1_2/1.xml", []byte("<not-an-ern/>"))
			files = folderFiles(t, tr.Dir())
			if len(files) != 1 || files[0] != "N_1_2.zip" {
				t.Fatalf("after the message the folder holds %v; want N_1_2.zip alone", files)
			}
			got := zipNames(t, filepath.Join(tr.Dir(), "N_1_2.zip"))
			if len(got) != len(tt.want) {
				t.Errorf("archive holds %d entries, want %v", len(got), tt.want)
			}
			for _, n := range tt.want {
				if _, ok := got[n]; !ok {
					t.Errorf("archive lacks %s (has %v)", n, keys(got))
				}
			}
			if !bytes.Equal(got[tt.want[0]], audio) {
				t.Error("the audio in the archive differs from the source")
			}
		})
	}
}

func keys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// TestBatchCompletesOnTheManifest: in a batch the message sits in the
// release's sub-folder; BatchComplete_… at the batch root completes it.
func TestBatchCompletesOnTheManifest(t *testing.T) {
	tr := newTransport(t, Options{})
	put(t, tr, "N_20260101/123/resources/a.wav", []byte("RIFF"))
	put(t, tr, "N_20260101/123/123.xml", []byte("<m/>"))
	if files := folderFiles(t, tr.Dir()); len(files) != 1 || !strings.HasSuffix(files[0], TempSuffix) {
		t.Fatalf("after the message of a batch: %v; want the archive still being assembled", files)
	}
	put(t, tr, "N_20260101/BatchComplete_20260101.xml", []byte("<b/>"))
	got := zipNames(t, filepath.Join(tr.Dir(), "N_20260101.zip"))
	if len(got) != 3 {
		t.Errorf("batch archive holds %v", keys(got))
	}
}

// TestExistingArchiveIsNeverReplaced: a second archive of the same name
// gets a numbered name; the first (maybe being uploaded) is untouched.
func TestExistingArchiveIsNeverReplaced(t *testing.T) {
	dir := t.TempDir()
	tr := newTransport(t, Options{Dir: dir, Name: "label_{folder}_{date}.zip", Now: func() time.Time { return time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC) }})
	put(t, tr, "F/1.xml", []byte("first"))
	put(t, tr, "F/1.xml", []byte("second"))
	if files := folderFiles(t, dir); strings.Join(files, " ") != "label_F_20261205.zip label_F_20261205_2.zip" {
		t.Fatalf("folder holds %v", files)
	}
	if got := zipNames(t, filepath.Join(dir, "label_F_20261205.zip")); string(got["F/1.xml"]) != "first" {
		t.Errorf("the first archive changed: %q", got["F/1.xml"])
	}
}

// TestFailedPutDropsTheUnfinishedArchive: a source that fails leaves no
// archive, no temporary file, and the earlier files are gone from Stat,
// so the next try sends them again.
func TestFailedPutDropsTheUnfinishedArchive(t *testing.T) {
	tr := newTransport(t, Options{})
	ctx := context.Background()
	put(t, tr, "F/resources/a.wav", []byte("RIFF"))
	if err := tr.Put(ctx, "F/resources/b.wav", strings.NewReader("short"), 100); err == nil {
		t.Fatal("a short source was accepted")
	}
	if files := folderFiles(t, tr.Dir()); len(files) != 0 {
		t.Errorf("folder holds %v after a failed Put; want nothing", files)
	}
	if _, err := tr.Stat(ctx, "F/resources/a.wav"); err == nil {
		t.Error("a file of the dropped archive is still reported")
	}
	if err := tr.Put(ctx, "loose.wav", strings.NewReader("x"), 1); !delivery.IsPermanent(err) {
		t.Errorf("a file outside any delivery folder: %v; want a permanent error", err)
	}
}

func TestStaleTemporaryArchivesRemovedAtStart(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, ".N_1.123.zip"+TempSuffix)
	fresh := filepath.Join(dir, ".N_2.456.zip"+TempSuffix)
	os.WriteFile(old, []byte("PK"), 0o644)
	os.WriteFile(fresh, []byte("PK"), 0o644)
	os.Chtimes(old, time.Now().Add(-48*time.Hour), time.Now().Add(-48*time.Hour))
	newTransport(t, Options{Dir: dir})
	if files := folderFiles(t, dir); len(files) != 1 || files[0] != filepath.Base(fresh) {
		t.Errorf("folder holds %v; want only the recent temporary archive (another daemon's)", files)
	}
}

func TestOptionErrors(t *testing.T) {
	dir := t.TempDir()
	for _, o := range []Options{
		{Dir: filepath.Join(dir, "missing")},
		{Dir: dir, Layout: "tar"},
		{Dir: dir, Name: "{nope}.zip"},
		{Dir: dir, Name: "../x.zip"},
		{Dir: dir, Sheet: &Sheet{Columns: []Column{{Header: "X", Field: "colour"}}}},
		{Dir: dir, Sheet: &Sheet{}},
	} {
		if _, err := New(o); !delivery.IsPermanent(err) {
			t.Errorf("New(%+v) = %v; want a permanent error", o, err)
		}
	}
}

// TestLocalHeaderCRC checks the CRC patched into each local header: a
// streaming unzip reads local headers only.
func TestLocalHeaderCRC(t *testing.T) {
	tr := newTransport(t, Options{})
	put(t, tr, "F/resources/a.wav", []byte("some audio"))
	put(t, tr, "F/F.xml", []byte("<m/>"))
	b, err := os.ReadFile(filepath.Join(tr.Dir(), "F.zip"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	pos := int64(0) // local headers follow one another, each before its data
	for _, f := range zr.File {
		if sig := binary.LittleEndian.Uint32(b[pos:]); sig != 0x04034b50 {
			t.Fatalf("no local header at %d for %s", pos, f.Name)
		}
		if crc := binary.LittleEndian.Uint32(b[pos+14:]); crc != f.CRC32 {
			t.Errorf("%s: local header CRC %08x, central directory %08x", f.Name, crc, f.CRC32)
		}
		n, e := int64(binary.LittleEndian.Uint16(b[pos+26:])), int64(binary.LittleEndian.Uint16(b[pos+28:]))
		pos += 30 + n + e + int64(f.CompressedSize64)
	}
}
