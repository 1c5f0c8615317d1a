package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/pipeline"
)

// shutdownGrace is how long in-flight work may take to finish after
// SIGINT or SIGTERM before uploads are aborted (their items stay put).
const shutdownGrace = 30 * time.Second

func runCmd(args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file (default: the embedded sandbox configuration)")
	root := fs.String("root", "", "root folder, overriding the configuration's root")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := loadConfig(*cfgPath, *root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	log, err := newLogger(cfg.Log, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	metrics := pipeline.NewMetrics(nil)
	metrics.RegisterGoCollectors()
	engine, err := pipeline.New(cfg, pipeline.Options{Logger: log, Metrics: metrics})
	if err != nil {
		log.Error("cannot start", "err", err)
		return 1
	}
	defer func() {
		// The hash cache is saved here: a failed save costs re-hashing
		// after the restart, so say so rather than stay silent.
		if err := engine.Close(); err != nil {
			log.Error("save state at stop", "err", err)
		}
	}()
	if cfg.Metrics.Listen != "" {
		srv, err := serveHTTP(cfg.Metrics.Listen, engine, metrics, log)
		if err != nil {
			log.Error("cannot serve metrics", "listen", cfg.Metrics.Listen, "err", err)
			return 1
		}
		defer srv.Close()
	}
	log.Info("ferry running", "version", pipeline.Version, "root", cfg.Root, "node", cfg.Node, "dsps", cfg.DSPNames())
	if err := engine.Run(ctx, shutdownGrace); err != nil {
		log.Error("stopped", "err", err)
		return 1
	}
	log.Info("stopped cleanly")
	return 0
}

// loadConfig reads FILE, else $FERRY_CONFIG, else uses the embedded
// default; -root overrides the root. FERRY_CONFIG lets `ferry status` and
// `ferry retry` on a server find the daemon's root without flags.
func loadConfig(path, root string) (*config.Config, error) {
	if path == "" {
		path = os.Getenv("FERRY_CONFIG")
	}
	var cfg *config.Config
	if path == "" {
		cfg = config.Default()
	} else {
		c, err := config.Load(path)
		if err != nil {
			return nil, err
		}
		if err := severityOverridesOK(c); err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
		cfg = c
	}
	if root != "" {
		cfg.Root = root
	}
	return cfg, nil
}

// serveHTTP serves /metrics, /healthz and /readyz.
func serveHTTP(addr string, e *pipeline.Engine, m *pipeline.Metrics, log *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if err := e.Ready(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "err", err)
		}
	}()
	log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	return srv, nil
}
