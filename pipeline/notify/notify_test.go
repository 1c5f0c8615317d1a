package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
)

// receiver is a local webhook endpoint recording what it gets; answer
// decides the status of each request (200 when nil).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
	hits   atomic.Int32
	answer func(n int32) int
}

func newReceiver(t *testing.T, answer func(n int32) int) *receiver {
	r := &receiver{answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n := r.hits.Add(1)
		if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
			t.Errorf("got %s with Content-Type %q", req.Method, req.Header.Get("Content-Type"))
		}
		code := http.StatusOK
		if r.answer != nil {
			code = r.answer(n)
		}
		if code == http.StatusOK {
			var m map[string]any
			if err := json.NewDecoder(req.Body).Decode(&m); err != nil {
				t.Errorf("body is not JSON: %v", err)
			}
			r.mu.Lock()
			r.bodies = append(r.bodies, m)
			r.mu.Unlock()
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.bodies...)
}

// hookFor is a [[notify]] table whose URL (with a secret token in its
// path) is in an environment variable.
func hookFor(t *testing.T, url string, events ...string) config.Notify {
	env := "FERRY_TEST_WEBHOOK_" + strings.ToUpper(strings.ReplaceAll(t.Name(), "/", "_"))
	t.Setenv(env, url+"/hooks/T0SECRETTOKEN")
	c := config.Notify{Name: "team", URLEnv: env, Events: events, ErrorLines: 3,
		UnreachableAfter: config.Duration{Duration: 10 * time.Minute}, Timeout: config.Duration{Duration: 2 * time.Second}}
	return c
}

func newNotifier(t *testing.T, cfgs []config.Notify, o Options) *Notifier {
	t.Helper()
	if o.Backoff == 0 {
		o.Backoff = 10 * time.Millisecond
	}
	n, err := New(cfgs, o)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func closeNow(n *Notifier) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n.Close(ctx)
}

func TestFailedEventCarriesTheFirstLinesOfErrors(t *testing.T) {
	r := newReceiver(t, nil)
	n := newNotifier(t, []config.Notify{hookFor(t, r.URL, "failed")}, Options{})
	errorsTxt := "ferry could not deliver this release.\n\nStage:   packaged\nDSP:     spotify\nWhen:    now\n"
	n.Notify(Event{Kind: Failed, Release: "harbour-lights", DSP: "spotify", Stage: "packaged",
		Summary: "authentication refused", Details: strings.Split(errorsTxt, "\n")})
	n.Notify(Event{Kind: Acknowledged, Release: "harbour-lights", DSP: "spotify"}) // not subscribed
	closeNow(n)
	got := r.got()
	if len(got) != 1 {
		t.Fatalf("received %d events, want the failed one only: %v", len(got), got)
	}
	b := got[0]
	text, _ := b["text"].(string)
	for _, want := range []string{"harbour-lights", "spotify", "failed", "authentication refused", "ferry could not deliver this release."} {
		if !strings.Contains(text, want) {
			t.Errorf("text %q lacks %q", text, want)
		}
	}
	if strings.Contains(text, "DSP:     spotify") {
		t.Errorf("text %q holds more than the 3 lines asked for", text)
	}
	if b["event"] != "failed" || b["release"] != "harbour-lights" || b["dsp"] != "spotify" {
		t.Errorf("structured fields: %v", b)
	}
	if d, _ := b["details"].([]any); len(d) != 3 {
		t.Errorf("details %v, want 3 lines", b["details"])
	}
}

func TestRetriedWithBackoffUntilAccepted(t *testing.T) {
	r := newReceiver(t, func(n int32) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	n := newNotifier(t, []config.Notify{hookFor(t, r.URL, "acknowledged")}, Options{})
	n.Notify(Event{Kind: Acknowledged, Release: "r", DSP: "d"})
	closeNow(n)
	if r.hits.Load() != 3 || len(r.got()) != 1 || n.Sent() != 1 {
		t.Errorf("hits %d, received %d, sent %d; want 3 tries and one delivery", r.hits.Load(), len(r.got()), n.Sent())
	}
	// A 4xx other than 429 is final: not retried.
	r2 := newReceiver(t, func(int32) int { return http.StatusNotFound })
	n2 := newNotifier(t, []config.Notify{hookFor(t, r2.URL, "acknowledged")}, Options{})
	n2.Notify(Event{Kind: Acknowledged, Release: "r", DSP: "d"})
	closeNow(n2)
	if r2.hits.Load() != 1 || n2.Lost() != 1 {
		t.Errorf("a 404 was tried %d times (lost %d); want once", r2.hits.Load(), n2.Lost())
	}
}

func TestNeverBlocksAndDropsWhenFull(t *testing.T) {
	release := make(chan struct{})
	r := newReceiver(t, func(int32) int { <-release; return http.StatusOK })
	n := newNotifier(t, []config.Notify{hookFor(t, r.URL, "failed")}, Options{QueueSize: 5})
	start := time.Now()
	for range 1000 {
		n.Notify(Event{Kind: Failed, Release: "r"})
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("1000 Notify calls against a stuck webhook took %s", took)
	}
	if d := n.Dropped(); d < 1000-5-1 {
		t.Errorf("dropped %d; want all but the queue (5) and the one in flight", d)
	}
	close(release)
	closeNow(n)
	if got := len(r.got()); got > 6 || got < 5 {
		t.Errorf("received %d; want the queued ones", got)
	}
}

func TestSecretsStayOutOfLogs(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	r := newReceiver(t, func(int32) int { return http.StatusInternalServerError })
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // connection refused
	n := newNotifier(t, []config.Notify{hookFor(t, r.URL, "failed"), hookFor(t, dead.URL, "failed")},
		Options{Logger: log, Attempts: 2, QueueSize: 1})
	for range 5 {
		n.Notify(Event{Kind: Failed, Release: "r"})
	}
	closeNow(n)
	if !strings.Contains(logs.String(), "not delivered") {
		t.Fatalf("no failure logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "T0SECRETTOKEN") || strings.Contains(logs.String(), "/hooks/") {
		t.Errorf("the webhook URL is in the logs:\n%s", logs.String())
	}
	t.Setenv("FERRY_EMPTY_HOOK", "")
	_, err := New([]config.Notify{{Name: "x", URLEnv: "FERRY_EMPTY_HOOK", Events: []string{"failed"}}}, Options{})
	if err == nil || !strings.Contains(err.Error(), "FERRY_EMPTY_HOOK") {
		t.Errorf("missing URL: %v; want an error naming the variable", err)
	}
	t.Setenv("FERRY_BAD_HOOK", "ftp://T0SECRETTOKEN@x")
	_, err = New([]config.Notify{{Name: "x", URLEnv: "FERRY_BAD_HOOK", Events: []string{"failed"}}}, Options{})
	if err == nil || strings.Contains(err.Error(), "T0SECRETTOKEN") {
		t.Errorf("bad URL: %v; want an error without the URL", err)
	}
}

func TestURLFromFile(t *testing.T) {
	r := newReceiver(t, nil)
	f := filepath.Join(t.TempDir(), "hook")
	os.WriteFile(f, []byte(r.URL+"/x\n"), 0o600)
	n := newNotifier(t, []config.Notify{{Name: "file", URLFile: f, Events: []string{"acknowledged"}, ErrorLines: 1,
		Timeout: config.Duration{Duration: time.Second}}}, Options{})
	n.Notify(Event{Kind: Acknowledged, Release: "r", DSP: "d"})
	closeNow(n)
	if len(r.got()) != 1 {
		t.Fatalf("received %d", len(r.got()))
	}
}

func TestUnreachableOncePerOutageAfterN(t *testing.T) {
	r := newReceiver(t, nil)
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	n := newNotifier(t, []config.Notify{hookFor(t, r.URL, "unreachable")}, Options{Now: clock})
	down := errors.New("dial tcp 192.0.2.1:22: connection refused")
	n.Reach("spotify", down)
	advance(9 * time.Minute)
	n.Reach("spotify", down)
	n.Reach("deezer", nil)
	advance(time.Minute)
	n.Reach("spotify", down) // 10 minutes: told
	advance(5 * time.Minute)
	n.Reach("spotify", down) // same outage: not again
	n.Reach("spotify", nil)  // back
	advance(time.Minute)
	n.Reach("spotify", down) // a new outage, too young
	n.Reach("spotify", context.Canceled)
	closeNow(n)
	got := r.got()
	if len(got) != 1 {
		t.Fatalf("received %d events, want 1: %v", len(got), got)
	}
	text, _ := got[0]["text"].(string)
	if got[0]["dsp"] != "spotify" || !strings.Contains(text, "10m0s") || !strings.Contains(text, "connection refused") || !strings.Contains(text, "12:00 UTC") {
		t.Errorf("unreachable event: %v", got[0])
	}
}

func TestNilNotifierIsSilent(t *testing.T) {
	n, err := New(nil, Options{})
	if err != nil || n != nil {
		t.Fatalf("New(nil) = %v, %v", n, err)
	}
	n.Notify(Event{Kind: Failed})
	n.Reach("x", io.EOF)
	n.Close(context.Background())
	if n.Dropped() != 0 {
		t.Error("nil notifier counted")
	}
}
