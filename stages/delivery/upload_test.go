package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ferrydelivery/ferry/stages/digest"
	"github.com/ferrydelivery/ferry/stages/record"
)

// memTransport keeps files in memory and can fail the nth Put.
type memTransport struct {
	files  map[string][]byte
	puts   []string
	failAt int // 1-based Put number that fails; 0 never
	stats  int // Stat calls
}

func (m *memTransport) Put(_ context.Context, p string, r io.Reader, size int64) error {
	m.puts = append(m.puts, p)
	if len(m.puts) == m.failAt {
		return errors.New("connection lost")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m.files[p] = b
	return nil
}

func (m *memTransport) Stat(_ context.Context, p string) (int64, error) {
	m.stats++
	b, ok := m.files[p]
	if !ok {
		return 0, fs.ErrNotExist
	}
	return int64(len(b)), nil
}

func (m *memTransport) List(_ context.Context, dir string) ([]RemoteFile, error) {
	var out []RemoteFile
	for p, b := range m.files {
		if path.Dir(p) == dir {
			out = append(out, RemoteFile{Name: path.Base(p), Size: int64(len(b))})
		}
	}
	return out, nil
}
func (m *memTransport) Open(_ context.Context, p string) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(m.files[p])), nil
}
func (m *memTransport) Close() error { return nil }

const testFolder = "N_5901234123457_20261205120000000"

// packagedItem lays out a delivery of three files in a temporary item and
// records it; upload runs Upload on it as the pipeline does.
func packagedItem(t *testing.T) (upload func(Transport) (UploadStats, error), it *record.Item) {
	t.Helper()
	root := t.TempDir()
	r, err := record.OpenRoot(root, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "item")
	os.MkdirAll(dir, 0o755)
	it, _, err = r.Adopt(dir)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := it.PackageDir()
	if err != nil {
		t.Fatal(err)
	}
	d := record.Delivery{DSP: "dsp", ReleaseID: "5901234123457", Folder: testFolder}
	for i, name := range []string{"resources/a.wav", "resources/b.wav", "1.xml"} {
		p := filepath.Join(pkg, testFolder, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		data := bytes.Repeat([]byte{byte('a' + i)}, 100*(i+1))
		os.WriteFile(p, data, 0o644)
		role := record.RoleResource
		if i == 2 {
			role = record.RoleMessage
		}
		sums, err := digest.Bytes(data, digest.MD5)
		if err != nil {
			t.Fatal(err)
		}
		d.Files = append(d.Files, record.DeliveredFile{Role: role, Package: testFolder + "/" + name, Remote: testFolder + "/" + name,
			Size: sums.Size, BLAKE3: sums.BLAKE3, HashSum: sums.HashSum, Provided: true})
	}
	if err := it.SetDelivery(&d); err != nil {
		t.Fatal(err)
	}
	return func(tr Transport) (UploadStats, error) {
		d, err := it.Delivery()
		if err != nil {
			t.Fatal(err)
		}
		return Upload(context.Background(), tr, pkg, d, it.Uploads(), nil)
	}, it
}

func TestUploadRetrySendsOnlyWhatIsMissing(t *testing.T) {
	upload, _ := packagedItem(t)
	tr := &memTransport{files: map[string][]byte{}, failAt: 2}
	if _, err := upload(tr); err == nil {
		t.Fatal("the interrupted upload reported success")
	}
	tr.puts, tr.failAt = nil, 0
	st, err := upload(tr)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{testFolder + "/resources/b.wav", testFolder + "/1.xml"}
	if !slices.Equal(tr.puts, want) {
		t.Errorf("retry sent %v, want %v", tr.puts, want)
	}
	if st.SkippedFiles != 1 || st.SkippedBytes != 100 || st.Files != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestUploadResendsWhenTheServerLostAFile(t *testing.T) {
	upload, _ := packagedItem(t)
	tr := &memTransport{files: map[string][]byte{}}
	if _, err := upload(tr); err != nil {
		t.Fatal(err)
	}
	delete(tr.files, testFolder+"/resources/a.wav") // the DSP cleaned up
	tr.files[testFolder+"/resources/b.wav"] = []byte("truncated")
	tr.puts = nil
	if _, err := upload(tr); err != nil {
		t.Fatal(err)
	}
	want := []string{testFolder + "/resources/a.wav", testFolder + "/resources/b.wav", testFolder + "/1.xml"}
	if !slices.Equal(tr.puts, want) {
		t.Errorf("sent %v, want %v (remote size is checked)", tr.puts, want)
	}
}

func TestUploadOrderResourcesThenMessage(t *testing.T) {
	upload, _ := packagedItem(t)
	tr := &memTransport{files: map[string][]byte{}}
	if _, err := upload(tr); err != nil {
		t.Fatal(err)
	}
	want := []string{testFolder + "/resources/a.wav", testFolder + "/resources/b.wav", testFolder + "/1.xml"}
	if !slices.Equal(tr.puts, want) {
		t.Errorf("order %v, want %v", tr.puts, want)
	}
}

// A crash between a file's rename on the server and its record (K3):
// the retry finds the files under their final names, reads them back,
// and records them instead of sending them again — the DSP never gets
// the message twice.
func TestUploadAfterLostRecordSendsNothingTwice(t *testing.T) {
	upload, it := packagedItem(t)
	tr := &memTransport{files: map[string][]byte{}}
	if _, err := upload(tr); err != nil {
		t.Fatal(err)
	}
	if err := it.ForgetUploads(); err != nil {
		t.Fatal(err)
	}
	tr.puts = nil
	st, err := upload(tr)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.puts) != 0 || st.SkippedFiles != 3 {
		t.Errorf("after a lost record the retry sent %v (stats %+v), want nothing", tr.puts, st)
	}
}

// A file of the same size but other content under the final name (an
// earlier attempt's) is not taken for this one's: it is read back,
// found different, and sent.
func TestUploadChecksContentNotJustSize(t *testing.T) {
	upload, _ := packagedItem(t)
	tr := &memTransport{files: map[string][]byte{
		testFolder + "/resources/a.wav": bytes.Repeat([]byte{'z'}, 100),
	}}
	if _, err := upload(tr); err != nil {
		t.Fatal(err)
	}
	want := []string{testFolder + "/resources/a.wav", testFolder + "/resources/b.wav", testFolder + "/1.xml"}
	if !slices.Equal(tr.puts, want) {
		t.Errorf("sent %v, want %v", tr.puts, want)
	}
}

// BenchmarkUploadRecord10kFiles uploads a delivery of 10,000 small files
// to an in-memory server, so that what is measured is the upload's own
// bookkeeping: the record of uploaded files, written in batches.
func BenchmarkUploadRecord10kFiles(b *testing.B) {
	root := b.TempDir()
	r, err := record.OpenRoot(root, "bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(root, "item")
	os.MkdirAll(dir, 0o755)
	it, _, err := r.Adopt(dir)
	if err != nil {
		b.Fatal(err)
	}
	pkg, _ := it.PackageDir()
	d := record.Delivery{DSP: "dsp", ReleaseID: "5901234123457", Folder: testFolder}
	for i := range 10_000 {
		name := fmt.Sprintf("resources/%05d.wav", i)
		p := filepath.Join(pkg, testFolder, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x"), 0o644)
		sums, _ := digest.Bytes([]byte("x"), digest.MD5)
		d.Files = append(d.Files, record.DeliveredFile{Role: record.RoleResource, Resource: fmt.Sprintf("audio:%d", i),
			Package: testFolder + "/" + name, Remote: testFolder + "/" + name, Size: 1, BLAKE3: sums.BLAKE3, Provided: true})
	}
	b.ResetTimer()
	for b.Loop() {
		it.ForgetUploads()
		tr := &memTransport{files: map[string][]byte{}}
		if _, err := Upload(context.Background(), tr, pkg, &d, it.Uploads(), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(10_000*b.N)/b.Elapsed().Seconds(), "files/s")
}

// Whether files are on the server is learnt from one listing per remote
// folder, not a stat per file: over a long link that is one round trip
// instead of a thousand.
func TestUploadListsFoldersInsteadOfStatingFiles(t *testing.T) {
	upload, _ := packagedItem(t)
	tr := &memTransport{files: map[string][]byte{}}
	if _, err := upload(tr); err != nil {
		t.Fatal(err)
	}
	if tr.stats != 0 {
		t.Errorf("%d stats for a delivery of 3 files in 2 folders, want none", tr.stats)
	}
}
