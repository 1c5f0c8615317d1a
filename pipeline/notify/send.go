package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// run sends h's events one by one, each retried with backoff.
func (n *Notifier) run(h *hook) {
	defer n.wg.Done()
	for ev := range h.queue {
		select {
		case <-n.stop:
			n.lost.Add(1)
			n.o.Count("failed")
			continue
		default:
		}
		n.deliver(h, ev)
	}
}

// deliver tries ev up to Attempts times. 2xx is done; 429, 5xx and
// network faults are retried (429/503's Retry-After is honoured up to
// MaxBackoff); any other answer is final.
func (n *Notifier) deliver(h *hook, ev Event) {
	body, err := json.Marshal(payload(h, ev))
	if err != nil {
		n.o.Logger.Error("encode notification", "hook", h.name, "err", err)
		return
	}
	wait := n.o.Backoff
	for attempt := 1; ; attempt++ {
		retry, after, err := n.post(h, body)
		if err == nil {
			n.sent.Add(1)
			n.o.Count("sent")
			return
		}
		if !retry || attempt >= n.o.Attempts {
			n.lost.Add(1)
			n.o.Count("failed")
			n.o.Logger.Warn("notification not delivered", "hook", h.name, "event", ev.Kind, "attempts", attempt, "err", err)
			return
		}
		if after > 0 {
			wait = min(after, n.o.MaxBackoff)
		}
		select {
		case <-time.After(wait):
		case <-n.stop:
			n.lost.Add(1)
			n.o.Count("failed")
			return
		}
		wait = min(2*wait, n.o.MaxBackoff)
	}
}

// post sends one request. Its error never holds the URL.
func (n *Notifier) post(h *hook, body []byte) (retry bool, after time.Duration, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), h.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return false, 0, errors.New("invalid webhook URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ferry")
	resp, err := n.o.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, with its token
		}
		return true, 0, fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, 0, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			after = time.Duration(s) * time.Second
		}
		return true, after, fmt.Errorf("the webhook answered %s", resp.Status)
	}
	return false, 0, fmt.Errorf("the webhook answered %s", resp.Status)
}

// body is what a webhook receives: Slack's "text", and the event's fields.
type body struct {
	Text string `json:"text"`
	Event
}

func payload(h *hook, ev Event) body {
	if len(ev.Details) > h.lines {
		ev.Details = ev.Details[:h.lines]
	}
	return body{Text: Text(ev), Event: ev}
}

// Text renders ev as the one message a chat shows.
func Text(ev Event) string {
	var b strings.Builder
	switch ev.Kind {
	case Failed:
		fmt.Fprintf(&b, ":x: ferry: %s", ev.Release)
		if ev.DSP != "" {
			fmt.Fprintf(&b, " → %s", ev.DSP)
		}
		fmt.Fprintf(&b, " failed")
		if ev.Stage != "" {
			fmt.Fprintf(&b, " (%s)", ev.Stage)
		}
		if ev.Summary != "" {
			fmt.Fprintf(&b, ": %s", ev.Summary)
		}
		if len(ev.Details) > 0 {
			fmt.Fprintf(&b, "\n```\n%s\n```", strings.Join(ev.Details, "\n"))
		}
	case Acknowledged:
		fmt.Fprintf(&b, ":white_check_mark: ferry: %s acknowledged by %s", ev.Release, ev.DSP)
		if ev.Summary != "" {
			fmt.Fprintf(&b, ": %s", ev.Summary)
		}
	case Unreachable:
		fmt.Fprintf(&b, ":warning: ferry: DSP %s %s (since %s)", ev.DSP, ev.Summary, ev.Since.UTC().Format("2006-01-02 15:04 UTC"))
	default:
		fmt.Fprintf(&b, "ferry: %s %s %s", ev.Kind, ev.Release, ev.Summary)
	}
	return b.String()
}
