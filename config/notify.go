package config

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Notify is one [[notify]] webhook: a JSON POST with a Slack-compatible
// "text" field on the events it subscribes to. The URL is read from the
// environment or a file, never from here: webhook URLs carry tokens.
type Notify struct {
	Name    string `toml:"name"` // for logs; default "notify-N"
	URLEnv  string `toml:"url_env"`
	URLFile string `toml:"url_file"`
	// Events: "failed" (an item moved to failed/, with the first lines
	// of its ERRORS.txt), "acknowledged", "unreachable" (a DSP could not
	// be reached for longer than unreachable_after).
	Events           []string `toml:"events"`
	UnreachableAfter Duration `toml:"unreachable_after"`
	// ErrorLines is how many lines of ERRORS.txt a "failed" event
	// carries.
	ErrorLines int      `toml:"error_lines"`
	Timeout    Duration `toml:"timeout"`
}

// NotifyEvents are the events a webhook can subscribe to.
var NotifyEvents = []string{"failed", "acknowledged", "unreachable"}

// Defaults of the [[notify]] settings.
const (
	DefaultNotifyUnreachableAfter = 30 * time.Minute
	DefaultNotifyErrorLines       = 12
	defaultNotifyTimeout          = 10 * time.Second
)

func (n *Notify) applyDefaults(i int) {
	setString(&n.Name, fmt.Sprintf("notify-%d", i+1))
	if len(n.Events) == 0 {
		n.Events = []string{"failed"}
	}
	setDuration(&n.UnreachableAfter, DefaultNotifyUnreachableAfter)
	setInt(&n.ErrorLines, DefaultNotifyErrorLines)
	setDuration(&n.Timeout, defaultNotifyTimeout)
}

func (n *Notify) check(i int) []error {
	var errs []error
	p := fmt.Sprintf("notify[%d] (%s): ", i, n.Name)
	if (n.URLEnv == "") == (n.URLFile == "") {
		errs = append(errs, fmt.Errorf("%sset one of url_env or url_file (the URL itself is never written in the configuration)", p))
	}
	for _, ev := range n.Events {
		if !slices.Contains(NotifyEvents, ev) {
			errs = append(errs, fmt.Errorf("%sevents: %q: want some of %s", p, ev, strings.Join(NotifyEvents, ", ")))
		}
	}
	if n.ErrorLines < 0 {
		errs = append(errs, fmt.Errorf("%serror_lines = %d: must be 0 or more", p, n.ErrorLines))
	}
	return errs
}
