package config

import (
	"os"
	"time"
)

// Defaults, documented in the README's configuration reference.
const (
	DefaultRoot            = "./ferry-data"
	DefaultMetricsListen   = "127.0.0.1:9477"
	DefaultERNVersion      = "4.3"
	DefaultProfile         = ProfileReleaseByRelease
	DefaultNaming          = "ddex"
	DefaultHash            = "MD5"
	DefaultPriority        = "N"
	DefaultAckDir          = "acknowledgements"
	DefaultMinArtworkPx    = 3000
	DefaultMaxArtworkBytes = 20 << 20
	DefaultRetryAttempts   = 5
	DefaultValidateWorkers = 2
	DefaultPackageWorkers  = 2
	DefaultUploadWorkers   = 4
	DefaultAckWorkers      = 1
	defaultSettle          = 10 * time.Second
	defaultPollInterval    = 5 * time.Second
	defaultRescan          = time.Minute
	defaultStillCopying    = 10 * time.Minute
	defaultRetryInitial    = 10 * time.Second
	defaultRetryMax        = 10 * time.Minute
	defaultSFTPTimeout     = 30 * time.Second
	defaultAckPoll         = time.Minute
	defaultAckTimeout      = 72 * time.Hour
	defaultWatchMode       = "auto"
	defaultLogFormat       = "auto"
	defaultLogLevel        = "info"
	defaultTransport       = "sftp"
	defaultAckMode         = "ern-c"
	defaultSFTPPort        = 22
	defaultSFTPDir         = "."
)

// The embedded configuration's own values: a quick sandbox, sent as the
// example label (its DPID is the one in DDEX's acknowledgement samples)
// to a DSP with DDEX's published example DPID.
const (
	embeddedSettle     = 2 * time.Second
	embeddedPoll       = time.Second
	embeddedAckPoll    = time.Second
	embeddedSenderName = "Example Records"
	embeddedSenderDPID = "PADPIDA3897722461G"
	embeddedDSP        = "sandbox"
	embeddedDSPName    = "ferry sandbox DSP"
	embeddedDSPDPID    = "PADPIDA2014122301Q"
)

// Default is the embedded configuration `ferry run` uses without a file:
// root ./ferry-data and one destination, the built-in sandbox DSP.
func Default() *Config {
	cfg := &Config{
		Sender: Party{DPID: embeddedSenderDPID, Name: embeddedSenderName},
		Watch:  Watch{Settle: Duration{embeddedSettle}, PollInterval: Duration{embeddedPoll}},
		DSP: map[string]*DSP{
			embeddedDSP: {
				Name:      embeddedDSPName,
				DPID:      embeddedDSPDPID,
				Transport: "sandbox",
				Test:      true,
				// Read acknowledgements move aside, so a poll lists only
				// new ones however many the sandbox has sent.
				Ack: Ack{Poll: Duration{embeddedAckPoll}, Archive: "acknowledgements/processed"},
			},
		},
	}
	cfg.ApplyDefaults()
	return cfg
}

// ApplyDefaults fills every unset setting with its default.
func (c *Config) ApplyDefaults() {
	setString(&c.Root, DefaultRoot)
	if c.Node == "" {
		c.Node, _ = os.Hostname()
		setString(&c.Node, "ferry")
	}
	setString(&c.Watch.Mode, defaultWatchMode)
	setDuration(&c.Watch.Settle, defaultSettle)
	setDuration(&c.Watch.PollInterval, defaultPollInterval)
	setDuration(&c.Watch.Rescan, defaultRescan)
	setDuration(&c.Watch.StillCopyingAfter, defaultStillCopying)
	setInt(&c.Workers.Validate, DefaultValidateWorkers)
	setInt(&c.Workers.Package, DefaultPackageWorkers)
	setInt(&c.Workers.Upload, DefaultUploadWorkers)
	setInt(&c.Workers.Ack, DefaultAckWorkers)
	setInt(&c.Retry.Attempts, DefaultRetryAttempts)
	setDuration(&c.Retry.Initial, defaultRetryInitial)
	setDuration(&c.Retry.Max, defaultRetryMax)
	setString(&c.Metrics.Listen, DefaultMetricsListen)
	setString(&c.Log.Format, defaultLogFormat)
	setString(&c.Log.Level, defaultLogLevel)
	setString(&c.Lifecycle.Timezone, "UTC")
	c.Rules.applyDefaults()
	for i := range c.Notify {
		c.Notify[i].applyDefaults(i)
	}
	for name, d := range c.DSP {
		if d == nil {
			d = &DSP{}
			c.DSP[name] = d
		}
		setString(&d.Name, name)
		setString(&d.ERNVersion, DefaultERNVersion)
		setString(&d.Profile, DefaultProfile)
		setString(&d.Naming, DefaultNaming)
		setString(&d.Hash, DefaultHash)
		setString(&d.Priority, DefaultPriority)
		setString(&d.Transport, defaultTransport)
		setInt(&d.SFTP.Port, defaultSFTPPort)
		setString(&d.SFTP.Dir, defaultSFTPDir)
		setDuration(&d.SFTP.Timeout, defaultSFTPTimeout)
		d.S3.applyDefaults()
		d.Package.applyDefaults()
		if d.Transport == "package" {
			setString(&d.Ack.Mode, "none")
		}
		setString(&d.Ack.Mode, defaultAckMode)
		setString(&d.Ack.Dir, DefaultAckDir)
		setDuration(&d.Ack.Poll, defaultAckPoll)
		setDuration(&d.Ack.Timeout, defaultAckTimeout)
	}
}

func (r *Rules) applyDefaults() {
	setInt(&r.MinArtworkPx, DefaultMinArtworkPx)
	if r.MaxArtworkBytes == 0 {
		r.MaxArtworkBytes = DefaultMaxArtworkBytes
	}
	if len(r.AudioFormats) == 0 {
		r.AudioFormats = []string{"WAV", "FLAC"}
	}
	if r.AllowExtensible == nil {
		yes := true
		r.AllowExtensible = &yes
	}
}

// RulesFor returns the global rules with the DSP's overrides applied.
func (c *Config) RulesFor(dsp string) Rules {
	r := c.Rules
	r.Severity = map[string]string{}
	for k, v := range c.Rules.Severity {
		r.Severity[k] = v
	}
	d := c.DSP[dsp]
	if d == nil {
		return r
	}
	o := d.Rules
	if o.MinArtworkPx != 0 {
		r.MinArtworkPx = o.MinArtworkPx
	}
	if o.MaxArtworkBytes != 0 {
		r.MaxArtworkBytes = o.MaxArtworkBytes
	}
	if len(o.AudioFormats) > 0 {
		r.AudioFormats = o.AudioFormats
	}
	if o.AllowExtensible != nil {
		r.AllowExtensible = o.AllowExtensible
	}
	if o.LeadTime.Duration != 0 {
		r.LeadTime = o.LeadTime
	}
	for k, v := range o.Severity {
		r.Severity[k] = v
	}
	return r
}

func setString(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

func setInt(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}

func setDuration(p *Duration, v time.Duration) {
	if p.Duration == 0 {
		p.Duration = v
	}
}
