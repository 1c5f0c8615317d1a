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

var runHelp = help{
	Usage: "run [-config FILE] [-root DIR] [-metrics ADDR]",
	About: `Runs the daemon: watches the inboxes and moves every release through
validated/, packaged/, uploaded/ to acknowledged/ (or failed/ with an
ERRORS.txt). Without -config (or $FERRY_CONFIG) it uses the embedded
configuration: root ./ferry-data and the built-in "sandbox" DSP.

SIGINT and SIGTERM stop it cleanly; SIGHUP re-reads the configuration
file and applies log.level (other changes need a restart; the log says
so). The metrics listener also serves /healthz, /readyz and a read-only
status page at /.`,
}

func runCmd(args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file (default: $FERRY_CONFIG, else the embedded sandbox configuration)")
	root := fs.String("root", "", "root folder, overriding the configuration's root")
	metricsAddr := fs.String("metrics", "", "HOST:PORT for metrics, health and the status page, overriding $FERRY_METRICS and metrics.listen; \"off\" disables them")
	rest, done, code := parseFlags(fs, args, runHelp)
	if done {
		return code
	}
	if len(rest) > 0 {
		return usageError("run", runHelp, "unexpected argument %q", rest[0])
	}
	cfg, err := loadConfig(*cfgPath, *root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitUsage
	}
	cfg.Metrics.Listen = metricsListen(*metricsAddr, cfg.Metrics.Listen)
	level := new(slog.LevelVar)
	log, err := newLogger(cfg.Log, os.Stderr, level)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopHangup := onHangup(*cfgPath, level, log)
	defer stopHangup()

	metrics := pipeline.NewMetrics(nil)
	metrics.RegisterGoCollectors()
	engine, err := pipeline.New(cfg, pipeline.Options{Logger: log, Metrics: metrics})
	if err != nil {
		log.Error("cannot start", "err", err)
		return exitFailed
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
			return exitFailed
		}
		defer srv.Close()
	}
	b := pipeline.Build()
	log.Info("ferry running", "version", b.Version, "revision", b.Revision, "root", cfg.Root, "node", cfg.Node, "dsps", cfg.DSPNames())
	if err := engine.Run(ctx, shutdownGrace); err != nil {
		log.Error("stopped", "err", err)
		return exitFailed
	}
	log.Info("stopped cleanly")
	return exitOK
}

// metricsListen picks the metrics address: the -metrics flag, else
// $FERRY_METRICS, else the configuration's metrics.listen. "off" (or
// "none") disables the listener.
func metricsListen(flagValue, configured string) string {
	v := flagValue
	if v == "" {
		v = os.Getenv("FERRY_METRICS")
	}
	if v == "" {
		return configured
	}
	if v == "off" || v == "none" {
		return ""
	}
	return v
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
		c, is, err := lintConfigFile(path)
		if err != nil {
			return nil, err
		}
		if len(is) > 0 {
			return nil, fmt.Errorf("config %s:\n%w", path, is)
		}
		cfg = c
	}
	if root != "" {
		cfg.Root = root
	}
	return cfg, nil
}

// serveHTTP serves /metrics, /healthz, /readyz and the status page at /.
func serveHTTP(addr string, e *pipeline.Engine, m *pipeline.Metrics, log *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("%s is already in use (another ferry?): choose another address with "+
				"`ferry run -metrics 127.0.0.1:PORT`, FERRY_METRICS=127.0.0.1:PORT, metrics.listen in the configuration "+
				"or `make run METRICS=127.0.0.1:PORT` (\"off\" disables the listener): %w", addr, err)
		}
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
	mux.Handle("/{$}", statusPage(e, log))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "err", err)
		}
	}()
	log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics", "status_page", "http://"+ln.Addr().String()+"/")
	return srv, nil
}
