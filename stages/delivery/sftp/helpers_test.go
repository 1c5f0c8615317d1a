package sftp

import (
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
)

// options configures a client for s with key auth.
func options(t testing.TB, s *sshdtest.Server) Options {
	return Options{
		Host:       s.Host,
		Port:       s.Port,
		User:       s.User,
		KeyFile:    s.ClientKeyFile,
		KnownHosts: s.KnownHostsFile,
		Logger:     slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// testWriter sends log lines to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(b))
	return len(b), nil
}

func newClient(t testing.TB, o Options) *Client {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// serverFiles lists the files under the server's Root, relative, with
// slashes, temp files included.
func serverFiles(t testing.TB, root string) []string {
	t.Helper()
	var names []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	return names
}

func readServerFile(t testing.TB, s *sshdtest.Server, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.Root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("read uploaded file: %v", err)
	}
	return b
}
