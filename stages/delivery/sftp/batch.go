package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/ferrydelivery/ferry/stages/delivery"
)

var _ delivery.BatchPutter = (*Client)(nil)

// batchWindow is how many small files a PutBatch keeps in flight over
// the one SFTP session across a long link. Each costs three round trips
// (open; write; close and rename), so over a 100 ms link 64 files move
// about twenty per round trip, about what sshd's 2 MiB channel window
// lets through for files of 100 KB. On a LAN (a round trip under
// streamRTT) the files are bound by CPU, not round trips, and
// batchWindowLAN are enough: more only add contention.
const (
	batchWindow    = 64
	batchWindowLAN = 16
)

// largeAtOnce is how many larger files a PutBatch uploads at once (each
// also takes one of MaxSessions): over a long link a 40 MB track on one
// stream moves at 20 MB/s, and four together fill more of the streams'
// budget (maxAutoStreams connections per DSP, shared by split files).
const largeAtOnce = 4

// batchWindowOverride replaces the window in benchmarks exploring it.
var batchWindowOverride int

// PutBatch uploads files as Put does, each to a temporary name renamed
// when complete. Files that fit one write request go up to batchWindow
// at once, their requests sharing round trips, outside MaxSessions (they
// hold one buffer each); larger ones go largeAtOnce at a time alongside,
// each as a Put (split over streams when large). After a failure no
// further file starts.
func (c *Client) PutBatch(ctx context.Context, files []delivery.BatchFile, done func(i int, err error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var first error
	report := func(i int, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil && first == nil {
			first = err
			cancel()
		}
		done(i, err)
	}
	var small, large []int
	cn, err := c.get(ctx)
	if err != nil {
		return fmt.Errorf("upload %d files: %w", len(files), err)
	}
	for i, f := range files {
		if f.Size <= int64(cn.packetSize) {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	var wg sync.WaitGroup
	nextLarge := make(chan int)
	for range min(largeAtOnce, len(large)) {
		wg.Go(func() {
			for i := range nextLarge {
				report(i, c.putBatchFile(ctx, files[i], c.Put))
			}
		})
	}
	wg.Go(func() {
		defer close(nextLarge)
		for _, i := range large {
			select {
			case nextLarge <- i:
			case <-ctx.Done():
				return
			}
		}
	})
	next := make(chan int)
	window := batchWindow
	if cn.rtt < streamRTT {
		window = batchWindowLAN
	}
	if v := batchWindowOverride; v > 0 {
		window = v
	}
	for range min(window, len(small)) {
		wg.Go(func() {
			for i := range next {
				report(i, c.putBatchFile(ctx, files[i], c.putSmall))
			}
		})
	}
	for _, i := range small {
		if ctx.Err() != nil {
			break
		}
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	return first
}

// putBatchFile opens f and uploads it with put.
func (c *Client) putBatchFile(ctx context.Context, f delivery.BatchFile, put func(context.Context, string, io.Reader, int64) error) error {
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	return put(ctx, f.Path, r, f.Size)
}

// putSmall is Put without the MaxSessions slot, for PutBatch's small
// files.
func (c *Client) putSmall(ctx context.Context, p string, r io.Reader, size int64) error {
	dst, err := c.remote(p)
	if err != nil {
		return classify(fmt.Errorf("upload %s: %w", p, err))
	}
	cn, err := c.get(ctx)
	if err != nil {
		return fmt.Errorf("upload %s: %w", p, err)
	}
	if err := c.put(ctx, cn, dst, r, size); err != nil {
		return c.putFailed(cn, p, err)
	}
	return nil
}

// putFailed drops cn if err broke it and classifies err.
func (c *Client) putFailed(cn *conn, p string, err error) error {
	if brokeConnection(err) {
		c.drop(cn, err)
	}
	if errors.Is(err, os.ErrPermission) {
		return classify(fmt.Errorf("upload %s to %s: %w (user %q may not write there: check dir and the account's rights with the DSP)", p, c.addr, err, c.o.User))
	}
	return classify(fmt.Errorf("upload %s to %s: %w", p, c.addr, err))
}
