package record

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzItemRecords feeds arbitrary bytes as every record a drop may carry
// (state, delivery, uploaded, history): adopting, loading, listing and
// reading the item must never panic, and a record this root did not seal is never
// taken as its own.
func FuzzItemRecords(f *testing.F) {
	f.Add([]byte(`{"seal":"00","data":{"id":"x","dsp":"a/b"}}`))
	f.Add([]byte(`{"folder":"../../x","files":[{"remote":"/etc/passwd"}]}`))
	f.Add([]byte("{\"seal\":\"\",\"data\":" + string(make([]byte, 64)) + "}"))
	f.Add([]byte("\xff\xfe{}\n{\"seal\":1}\n"))
	f.Add([]byte(`{"seal":"` + strings.Repeat("0", 64) + `","data":{"id":"x"}}`)) // seal's own shape
	r, err := OpenRoot(f.TempDir(), "fuzz", nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		item := filepath.Join(t.TempDir(), "drop")
		rec := filepath.Join(item, ItemDir)
		if err := os.MkdirAll(rec, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{stateFile, DeliveryFile, UploadedFile, historyFile} {
			os.WriteFile(filepath.Join(rec, name), data, 0o644)
		}
		if _, err := r.Load(item, "packaged"); err == nil {
			t.Fatal("a record this root never sealed was loaded as its own")
		}
		folder, err := r.OpenFolder(filepath.Dir(item))
		if err != nil {
			t.Fatal(err)
		}
		_, err = folder.Peek(filepath.Base(item))
		folder.Close()
		if err == nil {
			t.Fatal("a state this root never sealed was listed as its own")
		}
		it, a, err := r.Adopt(item)
		if err != nil {
			t.Fatal(err)
		}
		if a.Kept {
			t.Fatal("a record this root never sealed was kept")
		}
		if _, err := it.Delivery(); err == nil {
			t.Fatal("a delivery this root never sealed was read")
		}
		if lines, _ := it.History(); len(lines) != 0 {
			t.Fatalf("history lines this root never sealed were read: %v", lines)
		}
		it.Uploads()
	})
}
