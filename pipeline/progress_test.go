package pipeline

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/record"
)

func TestHumanBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{185134080, "176.6 MiB"},
		{5 << 30, "5.0 GiB"},
		{3 << 40, "3.0 TiB"},
	}
	for _, tt := range tests {
		if got := HumanBytes(tt.n); got != tt.want {
			t.Errorf("HumanBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestProgressString(t *testing.T) {
	tests := []struct {
		p    Progress
		want string
		eta  time.Duration
	}{
		{Progress{Done: 185134080, Total: 4 * 185134080, Rate: 10 << 20}, "176.6 MiB of 706.2 MiB (25%), 10.0 MiB/s, 53s left", 53 * time.Second},
		{Progress{Done: 512}, "512 B", 0},
		{Progress{Done: 100, Total: 100, Rate: 5}, "100 B of 100 B (100%), 5 B/s", 0},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.p, got, tt.want)
		}
		if got := tt.p.ETA(); got != tt.eta {
			t.Errorf("%+v: ETA %s, want %s", tt.p, got, tt.eta)
		}
	}
}

// syncBuffer is a log destination safe for the reporter's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestUploadProgressIsLoggedAndShown runs the progress reporter over an
// upload in a packaged item: the log says done of total, %, rate and
// time left in human units, and Status shows the same.
func TestUploadProgressIsLoggedAndShown(t *testing.T) {
	defer func(d time.Duration) { progressEvery = d }(progressEvery)
	progressEvery = 20 * time.Millisecond
	l := Layout{Root: t.TempDir()}
	for _, s := range Stages {
		must(t, os.MkdirAll(l.Dir(s), 0o755))
	}
	item := filepath.Join(l.Dir(Packaged), "harbour-lights@dsp")
	must(t, os.MkdirAll(filepath.Join(item, record.ItemDir), 0o755))
	const total = 800 << 20
	d := record.Delivery{DSP: "dsp", Kind: "new", MessageID: "MSG-1", Files: []record.DeliveredFile{
		{Role: record.RoleResource, Size: total - 1000, Provided: true},
		{Role: record.RoleMessage, Size: 1000, Provided: true},
		{Role: record.RoleResource, Size: 5 << 30, Provided: false}, // not sent again: not counted
	}}
	must(t, files.WriteJSONAtomic(filepath.Join(item, record.ItemDir, record.DeliveryFile), d))
	st := ItemState{DSP: "dsp", Release: "harbour-lights", Attempt: 1, Tries: 2}
	must(t, writeState(item, st))

	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	var sent atomic.Int64
	stop := (&Engine{}).reportProgress(item, &st, &sent, log)
	for i := int64(1); i <= 20; i++ {
		sent.Store(i * 10 << 20) // 10 MiB per step, 200 MiB in the end
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(3 * progressEvery)
	stop()

	var line struct {
		Msg, Progress, Rate, ETA string
		Percent                  float64
	}
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		must(t, json.Unmarshal([]byte(l), &line))
	}
	if line.Msg != "uploading" || !strings.HasPrefix(line.Progress, "200.0 MiB of 800.0 MiB (25%)") ||
		line.Percent != 25 || !strings.HasSuffix(line.Rate, "/s") || line.ETA == "" {
		t.Errorf("last progress line %+v\nlog:\n%s", line, logs.String())
	}
	if strings.Contains(logs.String(), "bytes_sent") {
		t.Errorf("raw byte counts in the log:\n%s", logs.String())
	}
	items, err := Status(l)
	must(t, err)
	if len(items) != 1 || items[0].Upload == nil {
		t.Fatalf("status %+v: no upload progress", items)
	}
	it := items[0]
	if it.Upload.Done != 200<<20 || it.Upload.Total != total || it.Tries != 2 || it.MessageID != "MSG-1" || it.Kind != "new" {
		t.Errorf("status %+v, upload %+v", it, *it.Upload)
	}
}
