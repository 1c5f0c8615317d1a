package s3

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/delivery/s3/s3test"
)

// Environment variables the tests put the server's keys in: the
// transport reads them as it would in production.
const (
	testKeyEnv    = "FERRY_TEST_S3_ACCESS_KEY"
	testSecretEnv = "FERRY_TEST_S3_SECRET_KEY"
)

// options configures a transport for s with credentials from the
// environment, small parts and quick client retries.
func options(t testing.TB, s *s3test.Server, endpoint string) Options {
	t.Setenv(testKeyEnv, s.AccessKey)
	t.Setenv(testSecretEnv, s.SecretKey)
	if endpoint == "" {
		endpoint = s.Endpoint
	}
	return Options{
		Bucket: s.Bucket, Endpoint: endpoint, PathStyle: true,
		Credentials: Credentials{Source: SourceEnv, AccessKeyEnv: testKeyEnv, SecretKeyEnv: testSecretEnv},
		PartSize:    MinPartSize, Concurrency: 3,
		MaxBackoff: 50 * time.Millisecond,
		Logger:     slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

func newTransport(t testing.TB, o Options) *Transport {
	t.Helper()
	tr, err := New(context.Background(), o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// proxy sits between the transport and the server: it counts requests
// by kind, and answers with fault instead of forwarding
// while fault says so.
type proxy struct {
	URL string
	mu  sync.Mutex
	// counts by kind: "PUT part", "PUT object", "HEAD", "GET", "POST" …
	counts map[string]int
	fault  func(r *http.Request) int // a status to answer with, or 0
	// corrupt, when set, flips one byte of every PUT body on its way.
	corrupt bool
}

func newProxy(t testing.TB, target string) *proxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{counts: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := r.Method
		if r.Method == http.MethodPut {
			kind += " object"
			if r.URL.Query().Has("partNumber") {
				kind = "PUT part"
			}
		}
		p.mu.Lock()
		fault := p.fault
		p.mu.Unlock()
		if fault != nil {
			if code := fault(r); code != 0 {
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(code)
				msg := "<Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
				if code == http.StatusNotImplemented {
					msg = "<Code>NotImplemented</Code><Message>A header you provided implies functionality that is not implemented.</Message>"
				}
				io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error>`+msg+`</Error>`)
				p.count("fault " + kind)
				return
			}
		}
		p.count(kind)
		p.mu.Lock()
		corrupt := p.corrupt
		p.mu.Unlock()
		if corrupt && r.Method == http.MethodPut {
			b, _ := io.ReadAll(r.Body)
			if len(b) > 0 {
				b[len(b)/2] ^= 0x20
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

func (p *proxy) count(kind string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[kind]++
}

func (p *proxy) get(kind string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[kind]
}

func (p *proxy) setFault(f func(*http.Request) int) {
	p.mu.Lock()
	p.fault = f
	p.mu.Unlock()
}
