package delivery_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/local"
	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/record"
)

// TestUploadErrorNamesTheFileOnce checks that an upload error names the
// file once and keeps the transport's cause, so `ferry status` (which
// cuts long errors) shows the cause instead of a repeated prefix.
func TestUploadErrorNamesTheFileOnce(t *testing.T) {
	item := t.TempDir()
	remote := "N_1_2/resources/a.wav"
	pkg := filepath.Join(item, record.ItemDir, record.PackageDir, filepath.FromSlash(remote))
	if err := os.MkdirAll(filepath.Dir(pkg), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pkg, []byte("RIFF"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := record.Delivery{Files: []record.DeliveredFile{{Role: record.RoleResource, Package: remote, Remote: remote, Size: 4, Provided: true}}}
	if err := files.WriteJSONAtomic(filepath.Join(item, record.ItemDir, record.DeliveryFile), d); err != nil {
		t.Fatal(err)
	}
	// A file where the transport needs a folder: the write fails with a
	// real cause from the kernel.
	dest := t.TempDir()
	if err := os.WriteFile(filepath.Join(dest, "N_1_2"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := local.New(dest)
	if err != nil {
		t.Fatal(err)
	}
	_, err = delivery.Upload(context.Background(), tr, item, "", nil)
	if err == nil {
		t.Fatal("upload into a file succeeded")
	}
	msg := err.Error()
	if n := strings.Count(msg, "a.wav"); n != 1 {
		t.Errorf("the error names the file %d times, want once: %s", n, msg)
	}
	if !strings.Contains(msg, "not a directory") {
		t.Errorf("the error lost its cause: %s", msg)
	}
}
