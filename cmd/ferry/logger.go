package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/lmittmann/tint"

	"github.com/ferrydelivery/ferry/config"
)

// newLogger builds the daemon's logger: tint's coloured text on a
// terminal, JSON otherwise (for journald, Loki, docker logs).
func newLogger(c config.Log, w *os.File) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		return nil, fmt.Errorf("log.level %q: %w", c.Level, err)
	}
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
		h = tint.NewTextHandler(w, &tint.Options{Level: level, TimeFormat: "15:04:05", NoColor: !isTerminal(w)})
	default:
		h = slog.NewJSONHandler(io.Writer(w), &slog.HandlerOptions{Level: level})
	}
	return slog.New(h), nil
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
