package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const full = `
root = "/srv/ferry"
node = "ferry-a"
deliver_to = ["spotify"]

[sender]
dpid = "PADPIDA3897722461G"
name = "Example Records"

[watch]
mode = "poll"
settle = "30s"

[workers]
upload = 8

[dsp.spotify]
dpid = "PADPIDA2014122301Q"
ern_version = "4.1.1"
  [dsp.spotify.sftp]
  host = "sftp.example.com"
  user = "label"
  key_file = "/etc/ferry/id_ed25519"
  known_hosts = "/etc/ferry/known_hosts"
  streams = 4
  [dsp.spotify.ack]
  timeout = "24h"
  [dsp.spotify.rules]
  min_artwork_px = 1400
  lead_time = "72h"

[dsp.distro]
transport = "local"
local.dir = "/mnt/distro"
ack.mode = "none"
`

func TestParseFull(t *testing.T) {
	cfg, err := Parse(full)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"root", cfg.Root, "/srv/ferry"},
		{"watch.mode", cfg.Watch.Mode, "poll"},
		{"watch.settle", cfg.Watch.Settle.Duration, 30 * time.Second},
		{"watch.poll_interval default", cfg.Watch.PollInterval.Duration, 5 * time.Second},
		{"workers.upload", cfg.Workers.Upload, 8},
		{"workers.validate default", cfg.Workers.Validate, DefaultValidateWorkers},
		{"spotify ern_version", cfg.DSP["spotify"].ERNVersion, "4.1.1"},
		{"spotify name defaults to key", cfg.DSP["spotify"].Name, "spotify"},
		{"spotify port default", cfg.DSP["spotify"].SFTP.Port, 22},
		{"spotify streams", cfg.DSP["spotify"].SFTP.Streams, 4},
		{"distro streams default (automatic)", cfg.DSP["distro"].SFTP.Streams, 0},
		{"spotify ack timeout", cfg.DSP["spotify"].Ack.Timeout.Duration, 24 * time.Hour},
		{"spotify ack poll default", cfg.DSP["spotify"].Ack.Poll.Duration, time.Minute},
		{"distro transport", cfg.DSP["distro"].Transport, "local"},
		{"distro ack mode", cfg.DSP["distro"].Ack.Mode, "none"},
		{"distro hash default", cfg.DSP["distro"].Hash, "MD5"},
		{"rules override", cfg.RulesFor("spotify").MinArtworkPx, 1400},
		{"rules default", cfg.RulesFor("distro").MinArtworkPx, DefaultMinArtworkPx},
		{"lead time override", cfg.RulesFor("spotify").LeadTime.Duration, 72 * time.Hour},
		{"lead time default (none)", cfg.RulesFor("distro").LeadTime.Duration, time.Duration(0)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"unknown top-level key", "root = \"/x\"\nrooot = \"/y\"\n[dsp.a]\ntransport = \"sandbox\"\n",
			[]string{`line 2: rooot: unknown key (did you mean "root"?)`}},
		{"unknown key in nested table", "[dsp.spotify]\ntransport = \"sandbox\"\n  [dsp.spotify.sftp]\n  hots = \"x\"\n",
			[]string{`line 4: dsp.spotify.sftp.hots: unknown key (did you mean "host"?)`}},
		{"unknown dotted key", "[dsp.a]\ntransport = \"sandbox\"\nack.mdoe = \"none\"\n",
			[]string{`line 3: dsp.a.ack.mdoe: unknown key (did you mean "mode"?)`}},
		{"secret in config", "[dsp.a]\ntransport = \"sandbox\"\nsftp.password = \"hunter2\"\n",
			[]string{`line 3: dsp.a.sftp.password: unknown key`, "password_file"}},
		{"bad duration", "[watch]\nsettle = \"ten seconds\"\n[dsp.a]\ntransport = \"sandbox\"\n",
			[]string{"line 2", `duration "ten seconds"`}},
		{"duration as number", "[watch]\nsettle = 10\n[dsp.a]\ntransport = \"sandbox\"\n",
			[]string{"line 2"}},
		{"syntax error", "root = \n", []string{"line 1"}},
		{"no dsp", "root = \"/x\"\n", []string{"no destination"}},
		{"bad version", "[dsp.a]\ntransport = \"sandbox\"\nern_version = \"5.0\"\n", []string{`line 3: dsp.a.ern_version: "5.0" is not one of`}},
		{"sftp without host key", "[sender]\ndpid=\"PADPIDA3897722461G\"\n[dsp.a.sftp]\nhost=\"h\"\nuser=\"u\"\nkey_file=\"k\"\n",
			[]string{"line 3: dsp.a.sftp.known_hosts: missing"}},
		{"deliver_to unknown", "deliver_to=[\"b\"]\n[dsp.a]\ntransport = \"sandbox\"\n", []string{`deliver_to: "b"`}},
		{"all errors at once", "[watch]\nmode=\"x\"\n[log]\nlevel=\"loud\"\n[dsp.a]\ntransport = \"ftp\"\n",
			[]string{"watch.mode", "log.level", "dsp.a.transport"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.text)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error leaks the secret: %q", err)
			}
		})
	}
}

func TestDefaultIsValid(t *testing.T) {
	cfg := Default()
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	if cfg.Root != DefaultRoot || cfg.DSP["sandbox"] == nil || cfg.DSP["sandbox"].Transport != "sandbox" {
		t.Fatalf("unexpected default: root %q dsp %v", cfg.Root, cfg.DSP)
	}
}

func TestLoadNamesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ferry.toml")
	os.WriteFile(p, []byte("bogus = 1\n"), 0o644)
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v", err)
	}
}

// TestLintOnePass gives a file with a type error, two unknown keys and
// two bad values, behind a multi-line string holding "[deals]": Lint
// reports all five at once, in line order, each on its line.
func TestLintOnePass(t *testing.T) {
	text := `[sender]
dpid = "PADPIDA3897722461G"
name = """
[deals]
x = 1"""
[watch]
settle = 10
mdoe = "poll"
[dsp.a]
transport = "sandbox"
ern_version = "4.4"
priority = "Z"
colour = "blue"
`
	cfg, is := Lint(text)
	if cfg == nil {
		t.Fatal("no configuration")
	}
	want := []string{
		"line 7: watch.settle: the value is a whole number where text is expected",
		`line 8: watch.mdoe: unknown key (did you mean "mode"?)`,
		`line 11: dsp.a.ern_version: "4.4" is not one of 3.8.2, 4.1, 4.1.1, 4.2, 4.3, 4.3.1, 4.3.2`,
		`line 12: dsp.a.priority: "Z" is not one of P, N, L`,
		"line 13: dsp.a.colour: unknown key",
	}
	if got := strings.Split(is.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("issues\n%s\nwant\n%s", is.Error(), strings.Join(want, "\n"))
	}
	if cfg.Sender.Name != "[deals]\nx = 1" || cfg.Watch.Settle.Duration != defaultSettle {
		t.Errorf("decoded name %q, settle %v", cfg.Sender.Name, cfg.Watch.Settle)
	}
}

// TestLintBadValueReportedOnce: a value of the wrong type is one problem,
// not also an invalid empty value.
func TestLintBadValueReportedOnce(t *testing.T) {
	_, is := Lint("[rules.severity]\nstyle-caps = 1\n[rules]\nallow_wave_extensible = \"yes\"\n[dsp.a]\ntransport = \"sandbox\"\n")
	if len(is) != 2 || is[0].Key != "rules.severity.style-caps" || is[1].Key != "rules.allow_wave_extensible" {
		t.Errorf("issues:\n%s", is.Error())
	}
}

// TestLintChannelSettingsOnTheirLines checks that the S3, package and
// webhook checks, which word their own messages, are placed on the line
// of the key they name (or of its table).
func TestLintChannelSettingsOnTheirLines(t *testing.T) {
	text := `[sender]
dpid = "PADPIDA3897722461G"
[dsp.bucket]
transport = "s3"
  [dsp.bucket.s3]
  bucket = "a/b"
  sse = "des"
[[notify]]
events = ["failed", "exploded"]
`
	_, is := Lint(text)
	want := []string{
		`line 6: dsp.bucket.s3.bucket = "a/b": a bucket name, not a path (put folders in prefix)`,
		`line 7: dsp.bucket.s3.sse = "des": want "", "AES256" or "aws:kms"`,
		"line 8: notify[0] (notify-1): set one of url_env or url_file",
		`line 8: notify[0] (notify-1): events: "exploded"`,
	}
	got := is.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("issues lack %q:\n%s", w, got)
		}
	}
	if len(is) != len(want) {
		t.Errorf("%d issues, want %d:\n%s", len(is), len(want), got)
	}
}
