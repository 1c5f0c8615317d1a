// Package config loads ferry's TOML configuration: defaults for every
// setting, strict checking (an unknown key is an error naming the key and
// its line), durations written as strings ("10s").
package config

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// Config is the whole daemon configuration.
type Config struct {
	// Root holds the stage folders and .ferry/ state.
	Root string `toml:"root"`
	// Node names this daemon in history lines and claims; several daemons
	// sharing one root must have different names. Default: the host name.
	Node string `toml:"node"`
	// Inboxes are extra drop folders besides <root>/inbox.
	Inboxes []string `toml:"inboxes"`
	// DeliverTo is used for releases whose release.toml names no DSP.
	// Default: every configured DSP.
	DeliverTo []string        `toml:"deliver_to"`
	Sender    Party           `toml:"sender"`
	Watch     Watch           `toml:"watch"`
	Workers   Workers         `toml:"workers"`
	Retry     Retry           `toml:"retry"`
	Metrics   Metrics         `toml:"metrics"`
	Log       Log             `toml:"log"`
	DSP       map[string]*DSP `toml:"dsp"`
	Rules     Rules           `toml:"rules"`
	Lifecycle Lifecycle       `toml:"lifecycle"`
	// Notify are the webhooks told about failures, acknowledgements and
	// unreachable DSPs.
	Notify []Notify `toml:"notify"`
	// Identifiers are the label's UPC, ISRC and GRid blocks (see
	// identifiers.go).
	Identifiers Identifiers `toml:"identifiers"`
	// Preset are the named sets of DSPs and deal templates a release.toml
	// applies with preset = "NAME" (see preset.go).
	Preset map[string]*Preset `toml:"preset"`

	lines *Lines // where each key is written, when read from a file
}

// Party is the message sender: the label or distributor's DDEX party.
type Party struct {
	DPID string `toml:"dpid"`
	Name string `toml:"name"`
}

// Watch configures inbox watching.
type Watch struct {
	Mode              string   `toml:"mode"` // auto, notify, poll
	Settle            Duration `toml:"settle"`
	PollInterval      Duration `toml:"poll_interval"`
	Rescan            Duration `toml:"rescan"`
	ReadyMarker       string   `toml:"ready_marker"`
	StillCopyingAfter Duration `toml:"still_copying_after"`
}

// Workers sets the pool size of each stage.
type Workers struct {
	Validate int `toml:"validate"`
	Package  int `toml:"package"`
	Upload   int `toml:"upload"`
	Ack      int `toml:"ack"`
}

// Retry bounds how transient faults are retried.
type Retry struct {
	Attempts int      `toml:"attempts"` // tries in all, including the first
	Initial  Duration `toml:"initial"`  // first backoff
	Max      Duration `toml:"max"`      // backoff ceiling
}

// Metrics configures the Prometheus endpoint.
type Metrics struct {
	Listen string `toml:"listen"` // "" disables the HTTP server
}

// Log configures logging.
type Log struct {
	Format string `toml:"format"` // auto, text, json
	Level  string `toml:"level"`  // debug, info, warn, error
}

// DSP is one destination.
type DSP struct {
	Name       string `toml:"name"` // recipient name in the message header
	DPID       string `toml:"dpid"`
	ERNVersion string `toml:"ern_version"`
	// Profile is the choreography: release-by-release or batch.
	Profile string `toml:"profile"`
	// Naming of resource files: "ddex" (1.8.1 §5.3) or "upc"
	// (<UPC>_<disc>_<track>.<ext>, <UPC>.jpg).
	Naming   string `toml:"naming"`
	Hash     string `toml:"hash"`     // MD5, SHA1, SHA-256
	Priority string `toml:"priority"` // P, N, L (folder prefix)
	Test     bool   `toml:"test"`     // MessageControlType TestMessage
	// AVSVersionID overrides the AvsVersionId written in ERN 4.3 and later
	// (by default the version of the AVS file the schema ships with).
	AVSVersionID string  `toml:"avs_version_id"`
	Transport    string  `toml:"transport"` // sftp, local, sandbox, s3
	SFTP         SFTP    `toml:"sftp"`
	Local        Local   `toml:"local"`
	S3           S3      `toml:"s3"`
	Package      Package `toml:"package"`
	Ack          Ack     `toml:"ack"`
	Rules        Rules   `toml:"rules"`
}

// SFTP holds a DSP's server settings. Secrets are never written here:
// only the files or environment variables that hold them.
type SFTP struct {
	Host              string `toml:"host"`
	Port              int    `toml:"port"`
	User              string `toml:"user"`
	KeyFile           string `toml:"key_file"`
	KeyPassphraseFile string `toml:"key_passphrase_file"`
	KeyPassphraseEnv  string `toml:"key_passphrase_env"`
	PasswordFile      string `toml:"password_file"`
	PasswordEnv       string `toml:"password_env"`
	KnownHosts        string `toml:"known_hosts"`
	Dir               string `toml:"dir"`
	// PacketSize, Concurrency and MaxSessions are left to the transport
	// when 0: the server's own write limit (261120 bytes on OpenSSH), 64
	// requests in flight per file, 8 uploads at once per DSP.
	PacketSize  int `toml:"packet_size"`
	Concurrency int `toml:"concurrency"`
	MaxSessions int `toml:"max_sessions"`
	// Streams is how many SSH connections one large file is split over;
	// 0 chooses from the measured round trip (1 on a LAN, 8 at 100 ms).
	Streams int      `toml:"streams"`
	Timeout Duration `toml:"timeout"`
}

// Local is a folder destination (a distributor's drop, a mounted share).
type Local struct {
	Dir string `toml:"dir"`
}

// Ack configures how a DSP's acknowledgements are awaited.
type Ack struct {
	// Mode: ern-c (poll acknowledgement files), none (delivered once
	// uploaded) or manual (waits in uploaded/ until a person moves the
	// folder to acknowledged/).
	Mode    string   `toml:"mode"`
	Dir     string   `toml:"dir"` // remote folder, relative to the DSP's dir
	Poll    Duration `toml:"poll"`
	Timeout Duration `toml:"timeout"`
	Archive string   `toml:"archive"` // remote folder for acknowledgements read; see ackarchive.go
}

// Rules are validation limits; [rules] sets them for every DSP and
// [dsp.NAME.rules] overrides them per DSP.
type Rules struct {
	MinArtworkPx    int      `toml:"min_artwork_px"`
	MaxArtworkBytes int64    `toml:"max_artwork_bytes"`
	AudioFormats    []string `toml:"audio_formats"` // WAV, FLAC
	AllowExtensible *bool    `toml:"allow_wave_extensible"`
	// LeadTime is how far ahead of its release (or pre-order) date the
	// DSP wants a release; a closer or past date is rule lead-time. 0: no
	// check.
	LeadTime Duration          `toml:"lead_time"`
	Severity map[string]string `toml:"severity"` // rule name -> error, warning, off
}

// Lifecycle holds the settings of takedowns and restores.
type Lifecycle struct {
	// Timezone is the IANA zone in which release.toml's takedown_at is
	// read (default UTC).
	Timezone string `toml:"timezone"`
}

// Location is the zone takedown times are read in.
func (l Lifecycle) Location() *time.Location {
	loc, err := time.LoadLocation(l.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Duration is a time.Duration written as a string ("10s", "72h").
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: want a number and unit such as \"10s\", \"5m\", \"72h\"", string(b))
	}
	if v < 0 {
		return fmt.Errorf("duration %q is negative", string(b))
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration back as a string, without zero minutes
// and seconds ("72h", "10m").
func (d Duration) MarshalText() ([]byte, error) {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return []byte(s), nil
}

// Load reads the file at path, applies defaults and checks the result.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg, err := Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes TOML text, applies defaults and checks the result. The
// error, when there is one, is an Issues listing every problem at once.
func Parse(text string) (*Config, error) {
	cfg, is := Lint(text)
	if len(is) > 0 {
		return nil, is
	}
	return cfg, nil
}

// Lint decodes TOML text, applies defaults and checks the result, and
// returns every problem in one pass, each with its line: unknown keys
// (with the nearest setting's name when one is close), values of the
// wrong type, and values that are not allowed. The configuration is nil
// only when the text is not TOML; otherwise it holds every setting that
// could be read, with defaults for the rest, so that callers can add
// their own checks (Line places them).
func Lint(text string) (*Config, Issues) {
	var cfg Config
	lines, is := Decode(text, &cfg)
	if lines == nil {
		return nil, is
	}
	for i := range is {
		k := is[i].Key
		if last := k[strings.LastIndexByte(k, '.')+1:]; is[i].Kind == UnknownKey &&
			(strings.Contains(last, "password") || strings.Contains(last, "passphrase")) {
			is[i].Msg += " (secrets are never read from the config file: use password_file, password_env, key_passphrase_file or key_passphrase_env)"
		}
		if last := k[strings.LastIndexByte(k, '.')+1:]; is[i].Kind == UnknownKey &&
			(last == "url" || strings.Contains(last, "secret") || strings.Contains(last, "access_key")) {
			is[i].Msg += " (secrets are never read from the config file: webhooks take url_env or url_file; S3 keys come from credentials = \"env\", \"file\" or \"chain\")"
		}
	}
	cfg.lines = lines
	cfg.ApplyDefaults()
	is = append(is, cfg.valueIssues()...)
	is.Sort()
	return &cfg, is
}

// Line is the line of the configuration file on which key (in Path's
// form) or its nearest enclosing table is written; 0 for the embedded
// default or a setting left to its default.
func (c *Config) Line(key string) int { return c.lines.Line(key) }

// DSPNames returns the configured DSP names, sorted.
func (c *Config) DSPNames() []string {
	names := make([]string, 0, len(c.DSP))
	for n := range c.DSP {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
