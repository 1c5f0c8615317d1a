package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// onHangup handles SIGHUP for `ferry run` until the returned stop is
// called. The choice (README: "SIGHUP"): the daemon keeps running, never
// restarts, and re-reads its configuration file. log.level is applied at
// once; every other setting (DSPs, workers, root, watch, metrics) is only
// checked, and the log says a restart applies it. A file that no longer
// loads is reported and ignored. Without a file (the embedded
// configuration) there is nothing to reload, and the log says that too.
// Either way the signal never kills the daemon silently.
func onHangup(cfgPath string, level *slog.LevelVar, log *slog.Logger) (stop func()) {
	if cfgPath == "" {
		cfgPath = os.Getenv("FERRY_CONFIG")
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-ch:
				reload(cfgPath, level, log)
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
		<-finished
	}
}

// reload re-reads the configuration file after a SIGHUP and applies what
// can change while running.
func reload(cfgPath string, level *slog.LevelVar, log *slog.Logger) {
	if cfgPath == "" {
		log.Info("SIGHUP: running on the embedded configuration, nothing to reload; still running")
		return
	}
	cfg, err := loadConfig(cfgPath, "")
	if err != nil {
		log.Error("SIGHUP: configuration not reloaded, the running one stays in effect", "config", cfgPath, "err", err)
		return
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(cfg.Log.Level)); err != nil {
		log.Error("SIGHUP: configuration not reloaded, the running one stays in effect", "config", cfgPath, "err", err)
		return
	}
	old := level.Level()
	level.Set(l)
	// Logged at the new level at least, so it shows even when log.level
	// was just raised above info.
	log.Log(context.Background(), max(l, slog.LevelInfo),
		"SIGHUP: configuration reloaded; log.level applied, other changes take effect at the next restart",
		"config", cfgPath, "log_level", l.String(), "previous_log_level", old.String())
}
