package config

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Choreography profiles.
const (
	ProfileReleaseByRelease = "release-by-release"
	ProfileBatch            = "batch"
)

// Values accepted by enumerated settings.
var (
	ERNVersions = []string{"3.8.2", "4.1", "4.1.1", "4.2", "4.3", "4.3.1", "4.3.2"}
	Profiles    = []string{ProfileReleaseByRelease, ProfileBatch}
	Namings     = []string{"ddex", "upc"}
	Hashes      = []string{"MD5", "SHA1", "SHA-256"}
	// Priorities of release-by-release folders (P priority, N normal, L
	// low) and of batch folders (P, M, N), per choreography 1.8.1.
	Priorities      = []string{"P", "N", "L"}
	BatchPriorities = []string{"P", "M", "N"}
	Transports      = []string{"sftp", "local", "sandbox", "s3", "package"}
	AckModes        = []string{"ern-c", "none", "manual"}
	WatchModes      = []string{"auto", "notify", "poll"}
	LogFormats      = []string{"auto", "text", "json"}
	LogLevels       = []string{"debug", "info", "warn", "error"}
	Severities      = []string{"error", "warning", "off"}
)

// Check reports every invalid setting at once.
func (c *Config) Check() error {
	if is := c.valueIssues(); len(is) > 0 {
		return is
	}
	return nil
}

// valueIssues lists every invalid setting, each with its key and, when
// the configuration was read from a file, its line.
func (c *Config) valueIssues() Issues {
	var is Issues
	bad := func(key, format string, args ...any) {
		is = append(is, Issue{Kind: BadValue, Line: c.lines.Line(key), Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	// keyed takes the errors of checks that write "KEY = VALUE: what" or
	// "KEY is required": the key, up to the first space or colon, places
	// the message.
	keyed := func(errs []error) {
		for _, err := range errs {
			msg := err.Error()
			key := msg[:strings.IndexAny(msg+" ", " :")]
			is = append(is, Issue{Kind: BadValue, Line: c.lines.Line(key), Key: key, Msg: msg})
		}
	}
	oneOf := func(key, v string, allowed []string) {
		if !slices.Contains(allowed, v) {
			msg := fmt.Sprintf("%q is not one of %s", v, strings.Join(allowed, ", "))
			if s := Nearest(v, allowed); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			bad(key, "%s", msg)
		}
	}
	oneOf("watch.mode", c.Watch.Mode, WatchModes)
	oneOf("log.format", c.Log.Format, LogFormats)
	oneOf("log.level", c.Log.Level, LogLevels)
	if _, err := time.LoadLocation(c.Lifecycle.Timezone); err != nil {
		bad("lifecycle.timezone", "%q is not a time zone ferry knows: use an IANA name such as \"Europe/London\" or \"UTC\"", c.Lifecycle.Timezone)
	}
	for _, s := range []struct {
		key string
		n   int
	}{{"workers.validate", c.Workers.Validate}, {"workers.package", c.Workers.Package},
		{"workers.upload", c.Workers.Upload}, {"workers.ack", c.Workers.Ack}, {"retry.attempts", c.Retry.Attempts}} {
		if key, n := s.key, s.n; n < 1 {
			bad(key, "%d is less than 1", n)
		}
	}
	if len(c.DSP) == 0 {
		bad("dsp", "no destination: add a [dsp.NAME] table")
	}
	for _, name := range c.DeliverTo {
		if c.DSP[name] == nil {
			msg := fmt.Sprintf("%q is not a configured DSP (have %s)", name, strings.Join(c.DSPNames(), ", "))
			if s := Nearest(name, c.DSPNames()); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			bad("deliver_to", "%s", msg)
		}
	}
	for _, key := range sortedKeys(c.Rules.Severity) {
		oneOf(Path("rules.severity", key), c.Rules.Severity[key], Severities)
	}
	for _, name := range c.DSPNames() {
		d := c.DSP[name]
		p := Path("dsp", name) + "."
		oneOf(p+"ern_version", d.ERNVersion, ERNVersions)
		oneOf(p+"profile", d.Profile, Profiles)
		oneOf(p+"naming", d.Naming, Namings)
		oneOf(p+"hash", d.Hash, Hashes)
		if d.Profile == ProfileBatch {
			oneOf(p+"priority", d.Priority, BatchPriorities)
		} else {
			oneOf(p+"priority", d.Priority, Priorities)
		}
		oneOf(p+"transport", d.Transport, Transports)
		oneOf(p+"ack.mode", d.Ack.Mode, AckModes)
		if msg := checkAckArchive(d); msg != "" {
			bad(p+"ack.archive", "%s", msg)
		}
		for _, key := range sortedKeys(d.Rules.Severity) {
			oneOf(Path(p+"rules.severity", key), d.Rules.Severity[key], Severities)
		}
		switch d.Transport {
		case "sftp":
			s := d.SFTP
			if s.Host == "" {
				bad(p+"sftp.host", "missing")
			}
			if s.User == "" {
				bad(p+"sftp.user", "missing")
			}
			if s.KnownHosts == "" {
				bad(p+"sftp.known_hosts", "missing: ferry always verifies the server's host key")
			}
			if s.KeyFile == "" && s.PasswordFile == "" && s.PasswordEnv == "" {
				bad(p+"sftp", "set key_file, password_file or password_env")
			}
			if s.Port < 1 || s.Port > 65535 {
				bad(p+"sftp.port", "%d is not a port (1-65535)", s.Port)
			}
		case "local":
			if d.Local.Dir == "" {
				bad(p+"local.dir", "missing, and needed for transport = \"local\"")
			}
		case "s3":
			keyed(d.S3.check(p))
		case "package":
			keyed(d.Package.check(p))
			if d.Ack.Mode == "ern-c" {
				bad(p+"ack.mode", "\"ern-c\": a package is uploaded by a person, so no acknowledgement file comes back; use \"none\" or \"manual\"")
			}
		}
		if d.Transport != "sandbox" && c.Sender.DPID == "" {
			bad("sender.dpid", "missing, and needed to deliver to %s", name)
		}
	}
	for i := range c.Notify {
		keyed(c.Notify[i].check(i))
	}
	keyed(c.Identifiers.check())
	is = append(is, c.presetIssues()...)
	return is
}
