package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

var healthHelp = help{
	Usage: "health [-config FILE] [-addr HOST:PORT] [-live]",
	About: `Asks a running daemon whether it is ready (/readyz: stage folders
present, root writable, every DSP reachable when last tried): exit 0 if
so, 1 with the reason on standard error if not. With -live, only whether
it answers at all (/healthz). For container health checks and scripts.`,
}

// healthCmd asks a running daemon's /readyz (or /healthz with -live)
// whether it is well: exit 0 if so, 1 with the reason otherwise. It lets
// a container image without a shell or curl have a HEALTHCHECK.
func healthCmd(args []string) int {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file (default: $FERRY_CONFIG, else the embedded one)")
	live := fs.Bool("live", false, "only check that the daemon answers (/healthz), not that it can work (/readyz)")
	addrFlag := fs.String("addr", "", "the daemon's HOST:PORT (default: $FERRY_METRICS, else metrics.listen from the configuration)")
	rest, done, code := parseFlags(fs, args, healthHelp)
	if done {
		return code
	}
	if len(rest) > 0 {
		return usageError("health", healthHelp, "unexpected argument %q", rest[0])
	}
	cfg, err := loadConfig(*cfgPath, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitUsage
	}
	addr := *addrFlag
	if addr == "" {
		addr = metricsListen("", cfg.Metrics.Listen) // FERRY_METRICS, as `ferry run` reads it
	}
	if addr == "" {
		fmt.Fprintln(os.Stderr, "ferry: metrics.listen is empty (or FERRY_METRICS=off): the daemon serves no health endpoint")
		return 1
	}
	path := "/readyz"
	if *live {
		path = "/healthz"
	}
	if strings.HasPrefix(addr, "0.0.0.0:") || strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1:" + addr[strings.LastIndex(addr, ":")+1:]
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferry: not answering on %s: %v\n", addr, err)
		return 1
	}
	defer resp.Body.Close()
	body := make([]byte, 4096)
	n, _ := resp.Body.Read(body)
	msg := strings.TrimSpace(string(body[:n]))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(os.Stderr, "ferry: %s: %s\n", resp.Status, msg)
		return 1
	}
	fmt.Println(msg)
	return 0
}
