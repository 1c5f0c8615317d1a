package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/lmittmann/tint"

	"github.com/ferrydelivery/ferry/config"
)

// logTimeFormat is the text log's timestamp: date, time to the
// millisecond and zone, so a line read days later or from another
// machine is unambiguous.
const logTimeFormat = "2006-01-02T15:04:05.000Z07:00"

// newLogger builds the daemon's logger: tint's text on a terminal
// (coloured unless NO_COLOR is set, see no-color.org), JSON otherwise
// (for journald, Loki, docker logs). level, when not nil, is set from
// the configuration and kept by the handler, so SIGHUP can change it.
func newLogger(c config.Log, w *os.File, level *slog.LevelVar) (*slog.Logger, error) {
	if level == nil {
		level = new(slog.LevelVar)
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.Level)); err != nil {
		return nil, fmt.Errorf("log.level %q: %w", c.Level, err)
	}
	level.Set(l)
	format := c.Format
	if format == "auto" {
		format = "json"
		if isTerminal(w) {
			format = "text"
		}
	}
	var h slog.Handler
	switch format {
	case "text":
		h = tint.NewTextHandler(w, &tint.Options{Level: level, TimeFormat: logTimeFormat, NoColor: noColor(w)})
	default:
		h = slog.NewJSONHandler(io.Writer(w), &slog.HandlerOptions{Level: level})
	}
	return slog.New(h), nil
}

// noColor reports whether text logs go without ANSI colours: when the
// output is not a terminal, or NO_COLOR is set to anything but "".
func noColor(w *os.File) bool {
	return os.Getenv("NO_COLOR") != "" || !isTerminal(w)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
