package delivery

import (
	"context"
	"slices"
	"testing"
)

// batchTransport is memTransport with PutBatch: each batch's files go
// through Put in order, and the batches are recorded.
type batchTransport struct {
	*memTransport
	batches [][]string
}

func (b *batchTransport) PutBatch(ctx context.Context, files []BatchFile, done func(int, error)) error {
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	b.batches = append(b.batches, paths)
	for i, f := range files {
		r, err := f.Open()
		if err == nil {
			err = b.Put(ctx, f.Path, r, f.Size)
			r.Close()
		}
		done(i, err)
		if err != nil {
			return err
		}
	}
	return nil
}

func TestUploadBatchesResourcesBeforeTheMessage(t *testing.T) {
	_, it := packagedItem(t)
	var progress int64
	upload := func(tr Transport) (UploadStats, error) {
		d, err := it.Delivery()
		if err != nil {
			t.Fatal(err)
		}
		pkg, err := it.PackageDir()
		if err != nil {
			t.Fatal(err)
		}
		return Upload(context.Background(), tr, pkg, d, it.Uploads(), func(n int64) { progress = n })
	}
	tr := &batchTransport{memTransport: &memTransport{files: map[string][]byte{}, failAt: 2}}
	if _, err := upload(tr); err == nil {
		t.Fatal("the interrupted upload reported success")
	}
	if want := [][]string{{testFolder + "/resources/a.wav", testFolder + "/resources/b.wav"}}; !slices.EqualFunc(tr.batches, want, slices.Equal) {
		t.Fatalf("batches %v, want %v", tr.batches, want)
	}
	if _, ok := tr.files[testFolder+"/1.xml"]; ok {
		t.Fatal("the message went although a resource failed")
	}
	// The retry sends what the failed batch missed, then the message.
	tr.puts, tr.failAt, tr.batches = nil, 0, nil
	st, err := upload(tr)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{testFolder + "/resources/b.wav", testFolder + "/1.xml"}; !slices.Equal(tr.puts, want) {
		t.Errorf("retry sent %v, want %v", tr.puts, want)
	}
	if st.Files != 2 || st.SkippedFiles != 1 || progress != st.Total {
		t.Errorf("stats %+v, progress %d", st, progress)
	}
}
