package sftp

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// errNotExist is what pkg/sftp returns for SSH_FX_NO_SUCH_FILE.
var errNotExist = fs.ErrNotExist

// errBadPath marks a path that is absolute or leaves the base folder: a
// bug or a malicious package, never fixed by retrying.
var errBadPath = errors.New("invalid remote path")

// TempSuffix ends the names of files being uploaded. Together with a
// leading dot it keeps DSP scanners away from incomplete files; List
// leaves them out.
const TempSuffix = ".ferry-tmp"

// remote maps a Transport path (slash-separated, relative to the base
// folder) to the path on the server.
func (c *Client) remote(p string) (string, error) {
	if p == "" || p == "." {
		return c.base(), nil
	}
	clean := path.Clean(p)
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(p, "\x00") {
		return "", fmt.Errorf("%w %q: want a path inside the base folder", errBadPath, p)
	}
	return path.Join(c.base(), clean), nil
}

func (c *Client) base() string {
	if c.o.Dir == "" {
		return "."
	}
	return path.Clean(c.o.Dir)
}

// tempName is where a file is written before it is renamed to name.
func tempName(name string) string {
	dir, file := path.Split(name)
	return dir + "." + file + TempSuffix
}

// isTemp reports whether a listed name is an upload in progress.
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, TempSuffix)
}
