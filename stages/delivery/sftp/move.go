package sftp

import (
	"context"
	"fmt"
	"path"
)

// Move renames the file at from to to on the server, creating to's
// folder when missing, for archiving acknowledgements (ack.archive). It
// uses plain SFTP rename, which never replaces an existing file.
func (c *Client) Move(ctx context.Context, from, to string) error {
	src, err := c.remote(from)
	if err != nil {
		return classify(fmt.Errorf("move %s: %w", from, err))
	}
	dst, err := c.remote(to)
	if err != nil {
		return classify(fmt.Errorf("move to %s: %w", to, err))
	}
	return c.call(ctx, "move "+src+" to "+dst, func(cn *conn) error {
		if err := c.mkdirAll(cn, path.Dir(dst)); err != nil {
			return err
		}
		return cn.sftp.Rename(src, dst)
	})
}
