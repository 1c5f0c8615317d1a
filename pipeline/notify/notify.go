// Package notify tells people about what ferry did, through webhooks:
// an item failed, a DSP acknowledged a delivery, a DSP has been
// unreachable for too long. The engine calls Notify (and Reach) and goes
// on: each webhook has its own bounded queue and sender, retried with
// backoff; when a queue is full the event is dropped and counted, so a
// slow or dead receiver never holds up a delivery.
//
// The body is JSON with a Slack-compatible "text" field (Slack,
// Mattermost and Rocket.Chat incoming webhooks show it as the message)
// beside structured fields for other receivers. Webhook URLs carry
// tokens: they come from the environment or a file and never appear in
// logs or errors.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferrydelivery/ferry/config"
)

// Kind is what happened.
type Kind string

// Event kinds, as named in [[notify]] events.
const (
	Failed       Kind = "failed"
	Acknowledged Kind = "acknowledged"
	Unreachable  Kind = "unreachable"
)

// Event is one thing to tell.
type Event struct {
	Kind    Kind      `json:"event"`
	Release string    `json:"release,omitempty"`
	DSP     string    `json:"dsp,omitempty"`
	Stage   string    `json:"stage,omitempty"`
	Summary string    `json:"summary,omitempty"` // one line: what happened
	Details []string  `json:"details,omitempty"` // failed: the first lines of ERRORS.txt
	Since   time.Time `json:"since,omitzero"`    // unreachable: first failure of the outage
	Time    time.Time `json:"time"`
}

// Options tune a Notifier; zero values take the defaults.
type Options struct {
	Logger *slog.Logger
	Client *http.Client
	// QueueSize bounds the events waiting per webhook (default 100).
	QueueSize int
	// Attempts is how many times one event is tried (default 5), waiting
	// Backoff, doubled each time up to MaxBackoff, in between
	// (defaults 2s and 1m).
	Attempts            int
	Backoff, MaxBackoff time.Duration
	Now                 func() time.Time
	// Count, when set, is told each event's fate: "sent", "failed"
	// (given up after its attempts) or "dropped" (queue full): the
	// engine counts them in ferry_notifications_total.
	Count func(result string)
}

// Notifier sends events to the configured webhooks. A nil *Notifier
// does nothing, so callers need no checks when none is configured.
type Notifier struct {
	o       Options
	hooks   []*hook
	dropped atomic.Uint64
	sent    atomic.Uint64
	lost    atomic.Uint64

	mu      sync.Mutex
	outages map[string]*outage
	closed  bool
	stop    chan struct{}
	stopped sync.Once
	wg      sync.WaitGroup
}

// hook is one webhook and its queue.
type hook struct {
	name    string
	url     string // secret: never logged
	events  map[Kind]bool
	after   time.Duration
	lines   int
	timeout time.Duration
	queue   chan Event
}

// outage is a DSP's current run of failed attempts.
type outage struct {
	since    time.Time
	err      string
	notified map[*hook]bool
}

// New reads each webhook's URL and starts its sender. It returns nil
// (a valid, silent Notifier) when no webhook is configured.
func New(cfgs []config.Notify, o Options) (*Notifier, error) {
	if len(cfgs) == 0 {
		return nil, nil
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 100
	}
	if o.Attempts <= 0 {
		o.Attempts = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = 2 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Count == nil {
		o.Count = func(string) {}
	}
	n := &Notifier{o: o, outages: map[string]*outage{}, stop: make(chan struct{})}
	var errs []error
	for _, c := range cfgs {
		u, err := readURL(c)
		if err != nil {
			errs = append(errs, fmt.Errorf("notify %s: %w", c.Name, err))
			continue
		}
		h := &hook{name: c.Name, url: u, events: map[Kind]bool{}, after: c.UnreachableAfter.Duration,
			lines: c.ErrorLines, timeout: c.Timeout.Duration, queue: make(chan Event, o.QueueSize)}
		for _, ev := range c.Events {
			h.events[Kind(ev)] = true
		}
		n.hooks = append(n.hooks, h)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, h := range n.hooks {
		n.wg.Add(1)
		go n.run(h)
	}
	return n, nil
}

// readURL reads a webhook's URL from its environment variable or file.
// Errors name where it was looked for, never what was found.
func readURL(c config.Notify) (string, error) {
	var raw string
	switch {
	case c.URLEnv != "":
		raw = os.Getenv(c.URLEnv)
		if raw == "" {
			return "", fmt.Errorf("environment variable %s is not set", c.URLEnv)
		}
	case c.URLFile != "":
		b, err := os.ReadFile(c.URLFile)
		if err != nil {
			return "", fmt.Errorf("read the URL file: %w", err)
		}
		raw = strings.TrimSpace(string(b))
	default:
		return "", errors.New("no url_env or url_file")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		where := "environment variable " + c.URLEnv
		if c.URLEnv == "" {
			where = c.URLFile
		}
		return "", fmt.Errorf("%s does not hold an http(s) URL", where)
	}
	return raw, nil
}

// Notify queues ev for every webhook subscribed to its kind, without
// waiting: a full queue drops the event (counted in Dropped).
func (n *Notifier) Notify(ev Event) {
	if n == nil {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = n.o.Now()
	}
	for _, h := range n.hooks {
		if h.events[ev.Kind] {
			n.enqueue(h, ev)
		}
	}
}

func (n *Notifier) enqueue(h *hook, ev Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	select {
	case h.queue <- ev:
	default:
		n.o.Count("dropped")
		if d := n.dropped.Add(1); d == 1 || d%100 == 0 {
			n.o.Logger.Warn("notification queue full; event dropped", "hook", h.name, "event", ev.Kind, "dropped_total", d)
		}
	}
}

// Reach records the outcome of talking to dsp (nil: it answered). A
// webhook subscribed to "unreachable" is told once per outage, when the
// outage has lasted its unreachable_after.
func (n *Notifier) Reach(dsp string, err error) {
	if n == nil || errors.Is(err, context.Canceled) {
		return
	}
	now := n.o.Now()
	n.mu.Lock()
	if err == nil {
		delete(n.outages, dsp)
		n.mu.Unlock()
		return
	}
	o := n.outages[dsp]
	if o == nil {
		o = &outage{since: now, notified: map[*hook]bool{}}
		n.outages[dsp] = o
	}
	o.err = err.Error()
	var due []*hook
	for _, h := range n.hooks {
		if h.events[Unreachable] && !o.notified[h] && now.Sub(o.since) >= h.after {
			o.notified[h] = true
			due = append(due, h)
		}
	}
	ev := Event{Kind: Unreachable, DSP: dsp, Since: o.since, Time: now,
		Summary: fmt.Sprintf("unreachable for %s: %s", now.Sub(o.since).Round(time.Second), o.err)}
	n.mu.Unlock()
	for _, h := range due {
		n.enqueue(h, ev)
	}
}

// Dropped is how many events were dropped because a queue was full.
func (n *Notifier) Dropped() uint64 {
	if n == nil {
		return 0
	}
	return n.dropped.Load()
}

// Sent is how many events a webhook accepted; Lost how many were given
// up after every attempt failed.
func (n *Notifier) Sent() uint64 {
	if n == nil {
		return 0
	}
	return n.sent.Load()
}

// Lost is how many events were given up after their attempts.
func (n *Notifier) Lost() uint64 {
	if n == nil {
		return 0
	}
	return n.lost.Load()
}

// Close stops taking events and lets the queued ones go until ctx ends;
// what is left then is dropped.
func (n *Notifier) Close(ctx context.Context) {
	if n == nil {
		return
	}
	n.mu.Lock()
	if !n.closed {
		n.closed = true
		for _, h := range n.hooks {
			close(h.queue)
		}
	}
	n.mu.Unlock()
	done := make(chan struct{})
	go func() { n.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		n.stopped.Do(func() { close(n.stop) })
		<-done
	}
}
