package delivery_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/local"
)

// TestUploadErrorNamesTheFileOnce checks that an upload error names the
// file once and keeps the transport's cause, so `ferry status` (which
// cuts long errors) shows the cause instead of a repeated prefix.
func TestUploadErrorNamesTheFileOnce(t *testing.T) {
	upload := delivery.PackagedItemForTest(t)
	// A file where the transport needs a folder: the write fails with a
	// real cause from the kernel.
	dest := t.TempDir()
	if err := os.WriteFile(filepath.Join(dest, delivery.TestFolder), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := local.New(dest)
	if err != nil {
		t.Fatal(err)
	}
	_, err = upload(tr)
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
