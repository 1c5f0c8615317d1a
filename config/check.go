package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
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
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	oneOf := func(key, v string, allowed []string) {
		if !slices.Contains(allowed, v) {
			bad("%s = %q: want one of %s", key, v, strings.Join(allowed, ", "))
		}
	}
	oneOf("watch.mode", c.Watch.Mode, WatchModes)
	oneOf("log.format", c.Log.Format, LogFormats)
	oneOf("log.level", c.Log.Level, LogLevels)
	for key, n := range map[string]int{"workers.validate": c.Workers.Validate, "workers.package": c.Workers.Package,
		"workers.upload": c.Workers.Upload, "workers.ack": c.Workers.Ack, "retry.attempts": c.Retry.Attempts} {
		if n < 1 {
			bad("%s = %d: must be at least 1", key, n)
		}
	}
	if len(c.DSP) == 0 {
		bad("no destination: add a [dsp.NAME] table")
	}
	for _, name := range c.DeliverTo {
		if c.DSP[name] == nil {
			bad("deliver_to: %q is not a configured DSP (have %s)", name, strings.Join(c.DSPNames(), ", "))
		}
	}
	for key, v := range c.Rules.Severity {
		oneOf("rules.severity."+key, v, Severities)
	}
	for _, name := range c.DSPNames() {
		d := c.DSP[name]
		p := "dsp." + name + "."
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
		errs = append(errs, checkAckArchive(p, d)...)
		for key, v := range d.Rules.Severity {
			oneOf(p+"rules.severity."+key, v, Severities)
		}
		switch d.Transport {
		case "sftp":
			s := d.SFTP
			if s.Host == "" {
				bad("%ssftp.host is required", p)
			}
			if s.User == "" {
				bad("%ssftp.user is required", p)
			}
			if s.KnownHosts == "" {
				bad("%ssftp.known_hosts is required: ferry always verifies the server's host key", p)
			}
			if s.KeyFile == "" && s.PasswordFile == "" && s.PasswordEnv == "" {
				bad("%ssftp: set key_file, password_file or password_env", p)
			}
			if s.Port < 1 || s.Port > 65535 {
				bad("%ssftp.port = %d: must be 1-65535", p, s.Port)
			}
		case "local":
			if d.Local.Dir == "" {
				bad("%slocal.dir is required for transport = \"local\"", p)
			}
		case "s3":
			errs = append(errs, d.S3.check(p)...)
		case "package":
			errs = append(errs, d.Package.check(p)...)
			if d.Ack.Mode == "ern-c" {
				bad("%sack.mode = \"ern-c\": a package is uploaded by a person, so no acknowledgement file comes back; use \"none\" or \"manual\"", p)
			}
		}
		if d.Transport != "sandbox" && c.Sender.DPID == "" {
			bad("sender.dpid is required to deliver to %s", name)
		}
	}
	for i := range c.Notify {
		errs = append(errs, c.Notify[i].check(i)...)
	}
	return errors.Join(errs...)
}
