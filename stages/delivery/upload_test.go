package delivery

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ferrydelivery/ferry/stages/digest"
	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/record"
)

// memTransport keeps files in memory and can fail the nth Put.
type memTransport struct {
	files  map[string][]byte
	puts   []string
	failAt int // 1-based Put number that fails; 0 never
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
	b, ok := m.files[p]
	if !ok {
		return 0, fs.ErrNotExist
	}
	return int64(len(b)), nil
}

func (m *memTransport) List(context.Context, string) ([]RemoteFile, error) { return nil, nil }
func (m *memTransport) Open(_ context.Context, p string) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(m.files[p])), nil
}
func (m *memTransport) Close() error { return nil }

// packagedItem writes a delivery of three files into a temporary item.
func packagedItem(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	d := record.Delivery{Folder: "N_1_2"}
	for i, name := range []string{"resources/a.wav", "resources/b.wav", "1.xml"} {
		p := filepath.Join(dir, record.ItemDir, record.PackageDir, "N_1_2", filepath.FromSlash(name))
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
		d.Files = append(d.Files, record.DeliveredFile{Role: role, Package: "N_1_2/" + name, Remote: "N_1_2/" + name,
			Size: sums.Size, BLAKE3: sums.BLAKE3, HashSum: sums.HashSum, Provided: true})
	}
	if err := files.WriteJSONAtomic(filepath.Join(dir, record.ItemDir, record.DeliveryFile), d); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestUploadRetrySendsOnlyWhatIsMissing(t *testing.T) {
	item := packagedItem(t)
	tr := &memTransport{files: map[string][]byte{}, failAt: 2}
	if _, err := Upload(context.Background(), tr, item, "", nil); err == nil {
		t.Fatal("the interrupted upload reported success")
	}
	tr.puts, tr.failAt = nil, 0
	st, err := Upload(context.Background(), tr, item, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"N_1_2/resources/b.wav", "N_1_2/1.xml"}
	if !slices.Equal(tr.puts, want) {
		t.Errorf("retry sent %v, want %v", tr.puts, want)
	}
	if st.SkippedFiles != 1 || st.SkippedBytes != 100 || st.Files != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestUploadResendsWhenTheServerLostAFile(t *testing.T) {
	item := packagedItem(t)
	tr := &memTransport{files: map[string][]byte{}}
	if _, err := Upload(context.Background(), tr, item, "", nil); err != nil {
		t.Fatal(err)
	}
	delete(tr.files, "N_1_2/resources/a.wav") // the DSP cleaned up
	tr.files["N_1_2/resources/b.wav"] = []byte("truncated")
	tr.puts = nil
	if _, err := Upload(context.Background(), tr, item, "", nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"N_1_2/resources/a.wav", "N_1_2/resources/b.wav", "N_1_2/1.xml"}
	if !slices.Equal(tr.puts, want) {
		t.Errorf("sent %v, want %v (remote size is checked)", tr.puts, want)
	}
}

func TestUploadOrderResourcesThenMessage(t *testing.T) {
	item := packagedItem(t)
	tr := &memTransport{files: map[string][]byte{}}
	if _, err := Upload(context.Background(), tr, item, "base", nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"base/N_1_2/resources/a.wav", "base/N_1_2/resources/b.wav", "base/N_1_2/1.xml"}
	if !slices.Equal(tr.puts, want) {
		t.Errorf("order %v, want %v", tr.puts, want)
	}
}
