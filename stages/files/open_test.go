package files

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestOpenRegularRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("0123456789"), 0o644)
	os.Symlink(file, filepath.Join(dir, "link"))
	syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644)
	os.Mkdir(filepath.Join(dir, "folder"), 0o755)
	sparse, _ := os.Create(filepath.Join(dir, "sparse"))
	sparse.Truncate(1 << 30)
	sparse.Close()
	for _, c := range []struct {
		name string
		max  int64
		want error
	}{
		{"file", 10, nil},
		{"file", -1, nil},
		{"file", 9, ErrTooLarge},
		{"link", 100, ErrNotRegular},
		{"fifo", 100, ErrNotRegular},
		{"folder", 100, ErrNotRegular},
		{"sparse", 1 << 20, ErrTooLarge},
	} {
		f, _, err := OpenRegular(filepath.Join(dir, c.name), c.max)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s (max %d): %v, want %v", c.name, c.max, err, c.want)
		}
		if f != nil {
			f.Close()
		}
	}
	if b, err := ReadRegular(file, 10); err != nil || string(b) != "0123456789" {
		t.Errorf("ReadRegular: %q %v", b, err)
	}
}
