package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/ferrydelivery/ferry/stages/delivery"
)

// call runs op on the live connection (dialling if needed), drops the
// connection if op failed for any reason other than a server answer, and
// classifies the error.
func (c *Client) call(ctx context.Context, what string, op func(*conn) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	cn, err := c.get(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := op(cn); err != nil {
		if brokeConnection(err) {
			c.drop(cn, err)
		}
		return classify(fmt.Errorf("%s on %s: %w", what, c.addr, err))
	}
	return nil
}

// errNotFile: Stat found a folder or other non-file at the path.
var errNotFile = errors.New("not a regular file")

// Stat returns the size of the file at p, or an error wrapping
// fs.ErrNotExist when there is none. A folder is an error.
func (c *Client) Stat(ctx context.Context, p string) (int64, error) {
	full, err := c.remote(p)
	if err != nil {
		return 0, classify(fmt.Errorf("stat %s: %w", p, err))
	}
	var size int64
	err = c.call(ctx, "stat "+full, func(cn *conn) error {
		fi, err := cn.sftp.Stat(full)
		if err != nil {
			return err
		}
		if fi.IsDir() {
			return errNotFile
		}
		size = fi.Size()
		return nil
	})
	return size, err
}

// List returns the regular files directly inside dir, sorted by name,
// without uploads in progress; a missing dir is empty.
func (c *Client) List(ctx context.Context, dir string) ([]delivery.RemoteFile, error) {
	full, err := c.remote(dir)
	if err != nil {
		return nil, classify(fmt.Errorf("list %s: %w", dir, err))
	}
	var files []delivery.RemoteFile
	err = c.call(ctx, "list "+full, func(cn *conn) error {
		entries, err := cn.sftp.ReadDirContext(ctx, full)
		if errors.Is(err, errNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, e := range entries {
			if !e.Mode().IsRegular() || isTemp(e.Name()) {
				continue
			}
			files = append(files, delivery.RemoteFile{Name: e.Name(), Size: e.Size(), ModTime: e.ModTime()})
		}
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, err
}

// Open returns a reader of the file at p (an acknowledgement, typically).
// Closing it releases the remote handle.
func (c *Client) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	full, err := c.remote(p)
	if err != nil {
		return nil, classify(fmt.Errorf("open %s: %w", p, err))
	}
	var rc io.ReadCloser
	err = c.call(ctx, "open "+full, func(cn *conn) error {
		f, err := cn.sftp.Open(full)
		if err != nil {
			return err
		}
		rc = f
		return nil
	})
	return rc, err
}
