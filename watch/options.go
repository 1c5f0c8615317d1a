package watch

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"
)

// Watching modes accepted in Options.Mode.
const (
	// ModeAuto watches with filesystem events plus a periodic full rescan,
	// and falls back to polling when the filesystem gives no events or
	// watches cannot be added.
	ModeAuto = "auto"
	// ModeNotify watches with filesystem events only; failing to add a
	// watch is an error instead of a fallback.
	ModeNotify = "notify"
	// ModePoll scans the inboxes every PollInterval and never uses events;
	// the right choice for NFS, SMB and FUSE mounts.
	ModePoll = "poll"
)

// Defaults applied by New to zero-valued Options fields.
const (
	DefaultSettle            = 10 * time.Second
	DefaultPollInterval      = 5 * time.Second
	DefaultRescan            = time.Minute
	DefaultStillCopyingAfter = 10 * time.Minute
)

// Options configure a Watcher. Zero values take the defaults above.
type Options struct {
	// Dirs are the inbox folders to watch. Each top-level entry of an
	// inbox is one drop: a release folder (or a loose file, reported as
	// such so the pipeline can move it aside).
	Dirs []string
	// Mode is "auto" (default), "notify" or "poll".
	Mode string
	// Settle is how long a drop's whole tree (names, sizes, mtimes, file
	// count) must stay unchanged before the drop is ready (default 10s).
	Settle time.Duration
	// PollInterval is the scan period in poll mode, also used after auto
	// mode has fallen back to polling (default 5s).
	PollInterval time.Duration
	// Rescan is the period of the full safety rescan in auto and notify
	// modes, and the period after which a drop that is still in the inbox
	// after being reported is reported again (default 1m).
	Rescan time.Duration
	// ReadyMarker, when set, replaces settling as the readiness test:
	//   - a plain file name such as "READY": the drop is ready once a file
	//     of that name exists directly inside the release folder;
	//   - a pattern containing "<name>", such as "<name>.done": the drop is
	//     ready once a file named after the folder exists beside it in the
	//     inbox ("Album" is ready when "Album.done" exists). Inbox entries
	//     matching the pattern are markers, never drops.
	// A marker never makes a folder that still holds a temporary name
	// ready. Use it for writers that preallocate or pause mid-copy.
	ReadyMarker string
	// StillCopyingAfter is how long a drop may stay not ready before it
	// is logged, once, as still being copied (default 10m).
	StillCopyingAfter time.Duration
	// Logger receives the watcher's logs; nil means slog.Default().
	Logger *slog.Logger
	// Metrics receives event, rescan and mode figures; may be nil.
	Metrics Metrics
}

// Metrics is what the watcher reports for monitoring; the pipeline
// implements it with Prometheus counters and a gauge.
// RescanReasons are the reasons a full rescan is counted under.
var RescanReasons = []string{"startup", "poll", "periodic", "overflow", "error", "fallback"}

type Metrics interface {
	// Events counts filesystem events received (notify and auto modes).
	Events(n int)
	// Rescan counts one full rescan of the inboxes, by reason: one of
	// RescanReasons.
	Rescan(reason string)
	// Mode reports the mode in effect ("notify" or "poll"), once at start
	// and again whenever auto mode falls back to polling.
	Mode(mode string)
}

// noMetrics is used when Options.Metrics is nil.
type noMetrics struct{}

func (noMetrics) Events(int)    {}
func (noMetrics) Rescan(string) {}
func (noMetrics) Mode(string)   {}

// withDefaults returns o with defaults filled in, or an error naming the
// first invalid field.
func (o Options) withDefaults() (Options, error) {
	if len(o.Dirs) == 0 {
		return o, errors.New("watch: no inbox folder given")
	}
	dirs := make([]string, len(o.Dirs))
	for i, d := range o.Dirs {
		if d == "" {
			return o, errors.New("watch: empty inbox folder name")
		}
		abs, err := filepath.Abs(d)
		if err != nil {
			return o, fmt.Errorf("watch: inbox %q: %w", d, err)
		}
		dirs[i] = abs
	}
	for i, a := range dirs {
		for j, b := range dirs {
			if i != j && (a == b || strings.HasPrefix(b, a+string(filepath.Separator))) {
				return o, fmt.Errorf("watch: inbox %s overlaps inbox %s", b, a)
			}
		}
	}
	o.Dirs = dirs

	switch o.Mode {
	case "":
		o.Mode = ModeAuto
	case ModeAuto, ModeNotify, ModePoll:
	default:
		return o, fmt.Errorf("watch: mode %q: want auto, notify or poll", o.Mode)
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"settle", &o.Settle, DefaultSettle},
		{"poll interval", &o.PollInterval, DefaultPollInterval},
		{"rescan", &o.Rescan, DefaultRescan},
		{"still copying after", &o.StillCopyingAfter, DefaultStillCopyingAfter},
	} {
		if *d.v < 0 {
			return o, fmt.Errorf("watch: %s %v is negative", d.name, *d.v)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if _, err := parseMarker(o.ReadyMarker); err != nil {
		return o, err
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Metrics == nil {
		o.Metrics = noMetrics{}
	}
	return o, nil
}
