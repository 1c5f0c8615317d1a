package deploy

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/ferrydelivery/ferry/config"
)

// Docker cannot run here, so these tests check what can be checked
// without it: the configurations load, the files agree with each other,
// and the Dockerfile and compose file have the structure they need. No
// YAML parser is used (ferry has no YAML dependency); the checks read
// lines.

const (
	dockerfile    = "Dockerfile"
	composeFile   = "docker-compose.yml"
	composeConfig = "compose/ferry.toml"
	prodConfig    = "ferry.toml"
)

func TestExampleConfigsLoad(t *testing.T) {
	for _, f := range []string{composeConfig, prodConfig} {
		cfg, err := config.Load(f)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if cfg.Root != "/srv/ferry" {
			t.Errorf("%s: root %q, want /srv/ferry (the unit's ReadWritePaths, the image's volume)", f, cfg.Root)
		}
	}
}

// TestComposeMetricsReachable: in a container ferry must listen beyond
// loopback, on the port Prometheus scrapes and the image exposes.
func TestComposeMetricsReachable(t *testing.T) {
	cfg, err := config.Load(composeConfig)
	if err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(cfg.Metrics.Listen)
	if err != nil {
		t.Fatalf("%s: metrics.listen %q: %v", composeConfig, cfg.Metrics.Listen, err)
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		t.Errorf("%s: metrics.listen = %q: other containers cannot reach it; use \"0.0.0.0:%s\"", composeConfig, cfg.Metrics.Listen, port)
	}
	checks := []struct{ file, want string }{
		{"prometheus/prometheus.yml", `"ferry:` + port + `"`},
		{composeFile, ":" + port + `"`},
		{dockerfile, "EXPOSE " + port},
	}
	for _, c := range checks {
		if !strings.Contains(readFile(t, c.file), c.want) {
			t.Errorf("%s does not contain %s (ferry listens on port %s)", c.file, c.want, port)
		}
	}
}

var (
	fromLine  = regexp.MustCompile(`(?m)^FROM\s+(\S+)(?:\s+AS\s+(\S+))?\s*$`)
	copyFrom  = regexp.MustCompile(`(?m)^COPY\s+.*--from=(\S+)`)
	userLine  = regexp.MustCompile(`(?m)^USER\s+(\S+)\s*$`)
	buildLine = regexp.MustCompile(`go build(?:[^\\\n]|\\\n)*`)
)

func TestDockerfileStructure(t *testing.T) {
	text := readFile(t, dockerfile)
	froms := fromLine.FindAllStringSubmatch(text, -1)
	if len(froms) < 2 {
		t.Fatalf("%s: %d FROM lines, want a build stage and a final stage", dockerfile, len(froms))
	}
	stages := map[string]bool{}
	for _, f := range froms[:len(froms)-1] {
		stages[f[2]] = true
	}
	if !strings.HasPrefix(froms[0][1], "golang:") {
		t.Errorf("%s: build stage FROM %s, want golang:", dockerfile, froms[0][1])
	}
	if final := froms[len(froms)-1][1]; strings.HasPrefix(final, "golang:") {
		t.Errorf("%s: final stage is %s: the image would carry the Go toolchain", dockerfile, final)
	}
	for _, c := range copyFrom.FindAllStringSubmatch(text, -1) {
		if !stages[c[1]] {
			t.Errorf("%s: COPY --from=%s names no earlier stage", dockerfile, c[1])
		}
	}
	users := userLine.FindAllStringSubmatch(text, -1)
	if len(users) == 0 {
		t.Errorf("%s: no USER: the container would run as root", dockerfile)
	} else if u := strings.Split(users[len(users)-1][1], ":")[0]; u == "0" || u == "root" {
		t.Errorf("%s: USER %s: the container would run as root", dockerfile, u)
	}
	build := buildLine.FindString(text)
	for _, want := range []string{"-trimpath", "-X github.com/ferrydelivery/ferry/pipeline.Version=", "./cmd/ferry"} {
		if !strings.Contains(build, want) {
			t.Errorf("%s: the go build command lacks %s:\n%s", dockerfile, want, build)
		}
	}
	if !strings.Contains(text, "CGO_ENABLED=0") {
		t.Errorf("%s: CGO_ENABLED=0 missing: the binary would need libc, which the final image lacks", dockerfile)
	}
	if _, err := os.Stat(filepath.Join("..", "cmd", "ferry")); err != nil {
		t.Errorf("%s builds ./cmd/ferry: %v", dockerfile, err)
	}
	for _, want := range []string{`VOLUME ["/srv/ferry"]`, `"/etc/ferry/ferry.toml"`} {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %s", dockerfile, want)
		}
	}
}

// composeServices lists the top-level services of the compose file and the
// bind-mount sources (./…) each mounts.
func composeServices(t *testing.T) map[string][]string {
	t.Helper()
	services := map[string][]string{}
	inServices, current := false, ""
	mount := regexp.MustCompile(`^\s+-\s+"?(\./[^:"]+):`)
	sc := bufio.NewScanner(strings.NewReader(readFile(t, composeFile)))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.Contains(line, "\t") {
			t.Errorf("%s:%d: tab character (YAML indents with spaces only)", composeFile, n)
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		switch indent := len(line) - len(strings.TrimLeft(line, " ")); {
		case indent == 0:
			inServices = trimmed == "services:"
		case inServices && indent == 2 && strings.HasSuffix(trimmed, ":"):
			current = strings.TrimSuffix(trimmed, ":")
			services[current] = nil
		case inServices && current != "":
			if m := mount.FindStringSubmatch(line); m != nil {
				services[current] = append(services[current], m[1])
			}
		}
	}
	return services
}

func TestComposeStack(t *testing.T) {
	services := composeServices(t)
	for _, s := range []string{"ferry", "dsp", "prometheus", "grafana"} {
		if _, ok := services[s]; !ok {
			t.Errorf("%s has no service %q", composeFile, s)
		}
	}
	// Mounted files kept in the repository must exist; compose/secrets and
	// compose/ferry-data are made by compose/setup.sh.
	for s, mounts := range services {
		for _, m := range mounts {
			if strings.HasPrefix(m, "./compose/secrets/") || m == "./compose/ferry-data" {
				continue
			}
			if _, err := os.Stat(m); err != nil {
				t.Errorf("%s: service %s mounts %s: %v", composeFile, s, m, err)
			}
		}
	}
	for _, want := range []string{"./prometheus/ferry-rules.yml", "./grafana/ferry.json", "./grafana/provisioning"} {
		found := false
		for _, mounts := range services {
			for _, m := range mounts {
				found = found || m == want
			}
		}
		if !found {
			t.Errorf("%s does not mount %s", composeFile, want)
		}
	}
	if docker, err := exec.LookPath("docker"); err == nil {
		out, err := exec.Command(docker, "compose", "-f", composeFile, "config", "--quiet").CombinedOutput()
		switch {
		case err == nil:
			t.Log("docker compose config: valid")
		case strings.Contains(string(out), "unknown") || strings.Contains(string(out), "not a docker command"):
			t.Log("docker has no compose plugin here; the compose file was checked by lines only")
		default:
			t.Errorf("docker compose config: %v\n%s", err, out)
		}
	}
}

// TestComposeSetupScript runs compose/setup.sh in a copy of deploy/ and
// checks that the known_hosts it writes pins the DSP's host key, as ferry
// will read it.
func TestComposeSetupScript(t *testing.T) {
	requireTool(t, "ssh-keygen", "openssh-client")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "compose"), 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "compose", "setup.sh")
	if err := os.WriteFile(script, []byte(readFile(t, "compose/setup.sh")), 0o755); err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ { // a second run must change nothing
		if out, err := exec.Command("sh", script).CombinedOutput(); err != nil {
			t.Fatalf("setup.sh (run %d): %v\n%s", run, err, out)
		}
	}
	secrets := filepath.Join(dir, "compose", "secrets")
	for _, f := range []string{"ferry_ed25519", "ssh_host_ed25519_key"} {
		fi, err := os.Stat(filepath.Join(secrets, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("private key %s has mode %v: readable by others", f, fi.Mode().Perm())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "compose", "ferry-data")); err != nil {
		t.Errorf("setup.sh made no root folder: %v", err)
	}
	if env := readFile(t, filepath.Join(dir, ".env")); !strings.Contains(env, "FERRY_UID=") || !strings.Contains(env, "FERRY_GID=") {
		t.Errorf(".env = %q, want FERRY_UID and FERRY_GID", env)
	}
	hostKey, _, _, _, err := ssh.ParseAuthorizedKey([]byte(readFile(t, filepath.Join(secrets, "ssh_host_ed25519_key.pub"))))
	if err != nil {
		t.Fatal(err)
	}
	check, err := knownhosts.New(filepath.Join(secrets, "known_hosts"))
	if err != nil {
		t.Fatal(err)
	}
	// ferry's compose configuration reaches the DSP as dsp:22.
	addr := &net.TCPAddr{IP: net.IPv4(172, 18, 0, 2), Port: 22}
	if err := check("dsp:22", addr, hostKey); err != nil {
		t.Errorf("known_hosts does not pin the DSP's host key for dsp:22: %v", err)
	}
	cfg, err := config.Load(composeConfig)
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.DSP["demo"].SFTP; s.Host != "dsp" || s.Port != 22 {
		t.Errorf("%s: demo DSP at %s:%d, but setup.sh pins the key for dsp:22", composeConfig, s.Host, s.Port)
	}
}
