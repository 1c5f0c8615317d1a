package sftp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
)

func TestPutStatListOpenWithKeyAuth(t *testing.T) {
	s := sshdtest.Start(t)
	c := newClient(t, options(t, s))
	ctx := context.Background()

	data := bytes.Repeat([]byte("0123456789abcdef"), 10000) // several packets
	if err := c.Put(ctx, "A1/resources/01_01.flac", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if got := readServerFile(t, s, "A1/resources/01_01.flac"); !bytes.Equal(got, data) {
		t.Fatalf("uploaded %d bytes differ from the %d sent", len(got), len(data))
	}
	if err := c.Put(ctx, "A1/A1.xml", strings.NewReader("<x/>"), 4); err != nil {
		t.Fatal(err)
	}
	// Replacing a file works too (posix-rename over the old one).
	if err := c.Put(ctx, "A1/A1.xml", strings.NewReader("<y/>"), 4); err != nil {
		t.Fatal(err)
	}
	if got := readServerFile(t, s, "A1/A1.xml"); string(got) != "<y/>" {
		t.Fatalf("replaced file holds %q", got)
	}
	if files := serverFiles(t, s.Root); len(files) != 2 {
		t.Errorf("server holds %v, want the two files and no temp file", files)
	}

	if size, err := c.Stat(ctx, "A1/resources/01_01.flac"); err != nil || size != int64(len(data)) {
		t.Errorf("Stat = %d, %v; want %d", size, err, len(data))
	}
	if _, err := c.Stat(ctx, "A1/missing.xml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat of a missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := c.Stat(ctx, "A1/resources"); err == nil {
		t.Error("Stat of a folder succeeded")
	}

	os.WriteFile(filepath.Join(s.Root, "A1", ".B.xml"+TempSuffix), []byte("partial"), 0o644)
	files, err := c.List(ctx, "A1")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Name != "A1.xml" || files[0].Size != 4 {
		t.Errorf("List(A1) = %+v, want only A1.xml (no folders, no temp files)", files)
	}
	if files, err := c.List(ctx, "acknowledgements"); err != nil || len(files) != 0 {
		t.Errorf("List of a missing folder = %v, %v; want empty", files, err)
	}

	rc, err := c.Open(ctx, "A1/A1.xml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(b) != "<y/>" {
		t.Errorf("Open read %q, %v", b, err)
	}
	if _, err := c.Open(ctx, "A1/none.xml"); !errors.Is(err, fs.ErrNotExist) || delivery.IsPermanent(err) {
		t.Errorf("Open of a missing file: %v, want a transient fs.ErrNotExist", err)
	}
}

func TestBaseFolder(t *testing.T) {
	s := sshdtest.Start(t)
	os.Mkdir(filepath.Join(s.Root, "incoming"), 0o755)
	ctx := context.Background()
	for _, dir := range []string{"incoming", filepath.Join(s.Root, "incoming")} {
		o := options(t, s)
		o.Dir = dir
		c := newClient(t, o)
		if err := c.Put(ctx, "a.txt", strings.NewReader("a"), 1); err != nil {
			t.Fatalf("Dir %q: %v", dir, err)
		}
		if _, err := os.Stat(filepath.Join(s.Root, "incoming", "a.txt")); err != nil {
			t.Fatalf("Dir %q: file not under the base folder: %v", dir, err)
		}
	}

	o := options(t, s)
	o.Dir = "no-such-folder"
	err := newClient(t, o).Put(ctx, "a.txt", strings.NewReader("a"), 1)
	if !delivery.IsPermanent(err) || !strings.Contains(err.Error(), "no-such-folder") {
		t.Fatalf("missing base folder: %v, want a permanent error naming it", err)
	}
	if _, err := os.Stat(filepath.Join(s.Root, "no-such-folder")); err == nil {
		t.Error("the missing base folder was created")
	}
}

func TestPathsOutsideBaseAreRefused(t *testing.T) {
	s := sshdtest.Start(t)
	c := newClient(t, options(t, s))
	for _, p := range []string{"/etc/x", "../x", "a/../../x"} {
		err := c.Put(context.Background(), p, strings.NewReader("x"), 1)
		if !delivery.IsPermanent(err) {
			t.Errorf("Put(%q) = %v, want a permanent error", p, err)
		}
	}
	for _, f := range serverFiles(t, filepath.Dir(s.Root)) {
		if filepath.Base(f) == "x" {
			t.Errorf("file written: %s", f)
		}
	}
}

func TestPutSourceFaultsLeaveNothing(t *testing.T) {
	s := sshdtest.Start(t)
	c := newClient(t, options(t, s))
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		src  io.Reader
		size int64
	}{
		{"short source", context.Background(), strings.NewReader("abc"), 100},
		{"long source", context.Background(), strings.NewReader("abcdef"), 3},
		{"canceled", canceled, strings.NewReader("abc"), 3},
	}
	for _, tt := range tests {
		err := c.Put(tt.ctx, "f.bin", tt.src, tt.size)
		if err == nil || delivery.IsPermanent(err) {
			t.Errorf("%s: Put = %v, want a transient error", tt.name, err)
		}
		if files := serverFiles(t, s.Root); len(files) != 0 {
			t.Errorf("%s: server holds %v, want nothing", tt.name, files)
		}
	}
	// The connection survived the local faults.
	if err := c.Put(context.Background(), "ok.bin", strings.NewReader("ok"), 2); err != nil {
		t.Fatal(err)
	}
}

// TestPacketSizeFollowsServerLimits: OpenSSH announces limits@openssh.com,
// so writes grow to its 255 KiB limit unless PacketSize is set.
func TestPacketSizeFollowsServerLimits(t *testing.T) {
	s := sshdtest.Start(t)
	for _, tt := range []struct{ set, want int }{{0, maxAutoPacket}, {16 << 10, 16 << 10}} {
		o := options(t, s)
		o.PacketSize = tt.set
		c := newClient(t, o)
		data := bytes.Repeat([]byte{7}, 600_000)
		if err := c.Put(context.Background(), "p.bin", bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
		if got := readServerFile(t, s, "p.bin"); !bytes.Equal(got, data) {
			t.Fatal("uploaded content differs")
		}
		cn, _ := c.current()
		if cn == nil || cn.packetSize != tt.want {
			t.Errorf("PacketSize %d: write size %v, want %d", tt.set, cn, tt.want)
		} else {
			t.Logf("PacketSize %d: write size %d", tt.set, cn.packetSize)
		}
	}
}
