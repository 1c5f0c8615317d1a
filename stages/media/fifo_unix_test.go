//go:build unix

package media_test

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/media"
)

// TestReadFIFO: a named pipe dropped as "audio" or "cover" must not block
// the reader (opening a FIFO for reading waits for a writer).
func TestReadFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "01-track.flac")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	done := make(chan error, 2)
	go func() { _, err := media.ReadAudio(p); done <- err }()
	go func() { _, err := media.ReadImage(p); done <- err }()
	for i := 0; i < 2; i++ {
		select {
		case err := <-done:
			if err == nil || !strings.HasSuffix(err.Error(), ": is a named pipe (FIFO), not a file") || !errors.Is(err, media.ErrNotRegular) {
				t.Errorf("FIFO: got %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("reading a FIFO blocked")
		}
	}
}
