package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/config"
)

// TestCheckConfigOnePass runs `ferry check-config` on a file with a type
// error, two unknown keys (one a near miss), two bad values and a severity
// override naming no rule, behind a multi-line string holding "[deals]":
// one run lists all six, each with its line.
func TestCheckConfigOnePass(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.toml")
	text := `root = "/srv/ferry"
[sender]
dpid = "PADPIDA3897722461G"
name = """
Example
[deals]
Records"""
[workers]
upload = "eight"
[log]
levle = "debug"
format = "jsno"
[dsp.spotify]
transport = "sandbox"
hash = "SHA256"
colour = "blue"
[dsp.spotify.rules.severity]
style-cap = "off"
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ferryBin, "check-config", path).CombinedOutput()
	if code := configCmdExit(err); code != 1 {
		t.Fatalf("exit %d (%v), want 1:\n%s", code, err, out)
	}
	want := []string{
		path + ":9: workers.upload: the value is text where a whole number is expected",
		path + `:11: log.levle: unknown key (did you mean "level"?)`,
		path + `:12: log.format: "jsno" is not one of auto, text, json (did you mean "json"?)`,
		path + `:15: dsp.spotify.hash: "SHA256" is not one of MD5, SHA1, SHA-256 (did you mean "SHA-256"?)`,
		path + ":16: dsp.spotify.colour: unknown key",
		path + `:18: dsp.spotify.rules.severity.style-cap: no validation rule has this name (did you mean "style-caps"?)`,
		path + ": 6 problem(s)",
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("check-config printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestConfigPrintsEffectiveConfig checks that `ferry config` prints the
// embedded default, and a file with every default filled in, as TOML
// that reads back to the same configuration.
func TestConfigPrintsEffectiveConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.toml")
	text := `root = "/srv/ferry"
node = "a"
[sender]
dpid = "PADPIDA3897722461G"
[dsp.spotify.sftp]
host = "sftp.example.com"
user = "label"
key_file = "/etc/ferry/id_ed25519"
password_env = "SPOTIFY_PASSWORD"
known_hosts = "/etc/ferry/known_hosts"
[dsp.spotify.rules]
min_artwork_px = 1400
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		args   []string
		want   *config.Config
		phrase []string
	}{
		{"embedded default", []string{"config"}, config.Default(), []string{"the embedded default", `transport = "sandbox"`}},
		{"file", []string{"config", "-config", path}, mustParse(t, text),
			[]string{`password_env = "SPOTIFY_PASSWORD"`, `poll_interval = "5s"`, `timeout = "72h"`, "min_artwork_px = 1400", `deliver_to = ["spotify"]`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(ferryBin, tt.args...)
			cmd.Env = append(os.Environ(), "FERRY_CONFIG=")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			for _, p := range tt.phrase {
				if !strings.Contains(string(out), p) {
					t.Errorf("output lacks %q:\n%s", p, out)
				}
			}
			back, err := config.Parse(string(out))
			if err != nil {
				t.Fatalf("the printed configuration does not read back: %v\n%s", err, out)
			}
			if back.Root != tt.want.Root || back.Node != tt.want.Node || back.Watch != tt.want.Watch || back.Workers != tt.want.Workers ||
				!reflect.DeepEqual(back.DSPNames(), tt.want.DSPNames()) {
				t.Errorf("read back %+v, want %+v", back, tt.want)
			}
			for _, name := range tt.want.DSPNames() {
				b, w := *back.DSP[name], *tt.want.DSP[name]
				b.Rules, w.Rules = config.Rules{}, config.Rules{}
				if !reflect.DeepEqual(b, w) || !reflect.DeepEqual(back.RulesFor(name), tt.want.RulesFor(name)) {
					t.Errorf("dsp %s read back %+v, want %+v", name, b, w)
				}
			}
		})
	}
}

func mustParse(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg, err := config.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func configCmdExit(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
