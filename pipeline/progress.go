package pipeline

import (
	"fmt"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/ferrydelivery/ferry/stages/record"
)

// progressEvery is how often a long upload logs its progress and records
// it for `ferry status`: steady, never per packet.
var progressEvery = 10 * time.Second

// Progress is an upload's progress as `ferry status` and the status page
// show it.
type Progress struct {
	Done  int64   `json:"done_bytes"`
	Total int64   `json:"total_bytes,omitempty"`
	Rate  float64 `json:"rate_bytes_per_second,omitempty"`
}

// Percent is Done of Total, 0 when the total is unknown.
func (p Progress) Percent() float64 {
	if p.Total <= 0 {
		return 0
	}
	return 100 * float64(p.Done) / float64(p.Total)
}

// ETA is the time left at the current rate; 0 when unknown.
func (p Progress) ETA() time.Duration {
	if p.Rate <= 0 || p.Total <= p.Done {
		return 0
	}
	return time.Duration(float64(p.Total-p.Done) / p.Rate * float64(time.Second)).Round(time.Second)
}

// String reads "176.6 MiB of 1.2 GiB (14%), 12.3 MiB/s, 1m25s left".
func (p Progress) String() string {
	s := HumanBytes(p.Done)
	if p.Total > 0 {
		s += fmt.Sprintf(" of %s (%.0f%%)", HumanBytes(p.Total), math.Floor(p.Percent()))
	}
	if p.Rate > 0 {
		s += ", " + HumanBytes(int64(p.Rate)) + "/s"
	}
	if eta := p.ETA(); eta > 0 {
		s += ", " + eta.String() + " left"
	}
	return s
}

// HumanBytes writes n in binary units: "512 B", "176.6 MiB".
func HumanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// reportProgress logs and records an upload's progress every
// progressEvery until the returned stop is called. The total is every
// file the delivery sends (files the server already has count as done
// when skipped). The rate is a moving average over the last ticks, so a
// pause or a skipped file does not swing the time left wildly.
func (e *Engine) reportProgress(it *record.Item, d *record.Delivery, sent *atomic.Int64, log *slog.Logger) (stop func()) {
	var total int64
	for _, f := range d.Files {
		if f.Provided {
			total += f.Size
		}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		var rate float64
		var last int64
		lastAt := time.Now()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				n := sent.Load()
				if secs := now.Sub(lastAt).Seconds(); secs > 0 {
					r := float64(n-last) / secs
					if rate == 0 {
						rate = r
					} else {
						rate = 0.5*rate + 0.5*r
					}
				}
				last, lastAt = n, now
				it.State.Progress, it.State.ProgressTotal, it.State.ProgressRate = n, total, rate
				if err := it.Save(); err != nil {
					log.Warn("record upload progress", "err", err)
				}
				p := Progress{Done: n, Total: total, Rate: rate}
				log.Info("uploading", "progress", p.String(), "percent", math.Floor(p.Percent()),
					"rate", HumanBytes(int64(rate))+"/s", "eta", p.ETA().String())
			}
		}
	}()
	return func() { close(done); <-finished }
}
