package pipeline

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// TestWebhookToldOfFailureAndAcknowledgement runs the engine with a
// [[notify]] webhook on a local HTTP server: a drop that fails and a
// release delivered (ack.mode = "none") each reach it, with their words.
func TestWebhookToldOfFailureAndAcknowledgement(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	}))
	defer srv.Close()
	t.Setenv("FERRY_TEST_HOOK", srv.URL+"/hook")
	cfg := localConfig(t)
	cfg.Notify = []config.Notify{{URLEnv: "FERRY_TEST_HOOK", Events: []string{"failed", "acknowledged"}}}
	cfg.ApplyDefaults()
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	e := runEngine(t, cfg)

	os.WriteFile(filepath.Join(e.layout.Dir(Inbox), "song.wav"), []byte("RIFF"), 0o644)
	drop(t, e, "hooked", 500, releasetest.Options{})
	find := func(event string) map[string]any {
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			for _, m := range got {
				if m["event"] == event {
					mu.Unlock()
					return m
				}
			}
			mu.Unlock()
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("no %q event; got %v", event, got)
		return nil
	}
	failed := find("failed")
	if text, _ := failed["text"].(string); failed["release"] != "song.wav" || !strings.Contains(text, "ferry could not deliver this release.") {
		t.Errorf("failed event %v: want the release and the first lines of ERRORS.txt", failed)
	}
	ack := find("acknowledged")
	if ack["release"] != "hooked" || ack["dsp"] != "dsp" {
		t.Errorf("acknowledged event %v", ack)
	}
	deadline := time.Now().Add(5 * time.Second)
	for testutil.ToFloat64(e.metrics.notifications.WithLabelValues("sent")) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("ferry_notifications_total{result=\"sent\"} = %v; want 2", testutil.ToFloat64(e.metrics.notifications.WithLabelValues("sent")))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
