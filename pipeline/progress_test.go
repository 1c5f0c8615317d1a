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
	must(t, os.MkdirAll(item, 0o755))
	rec, err := record.OpenRoot(l.Root, "test", nil)
	must(t, err)
	it, _, err := rec.Adopt(item)
	must(t, err)
	const total = 800 << 20
	const folder = "N_5901234123457_20261205120000000"
	d := &record.Delivery{DSP: "dsp", Kind: "new", MessageID: "MSG-1", ReleaseID: "5901234123457", Folder: folder,
		Files: []record.DeliveredFile{
			{Role: record.RoleResource, Package: folder + "/resources/1.wav", Remote: folder + "/resources/1.wav", Size: total - 1000, Provided: true},
			{Role: record.RoleMessage, Package: folder + "/1.xml", Remote: folder + "/1.xml", Size: 1000, Provided: true},
			// Not sent again: not counted.
			{Role: record.RoleResource, Package: folder + "/resources/2.wav", Remote: folder + "/resources/2.wav", Size: 5 << 30, Provided: false},
		}}
	must(t, it.SetDelivery(d))
	it.State.DSP, it.State.Attempt, it.State.Tries = "dsp", 1, 2
	must(t, it.Save())

	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	var sent atomic.Int64
	stop := (&Engine{}).reportProgress(it, d, &sent, log)
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
	is := items[0]
	if is.Upload.Done != 200<<20 || is.Upload.Total != total || is.Tries != 2 || is.MessageID != "MSG-1" || is.Kind != "new" {
		t.Errorf("status %+v, upload %+v", is, *is.Upload)
	}
}
