package pipeline

import (
	"context"
	"fmt"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/bulk"
	"github.com/ferrydelivery/ferry/stages/delivery/local"
	"github.com/ferrydelivery/ferry/stages/delivery/s3"
	"github.com/ferrydelivery/ferry/stages/delivery/sandbox"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp"
)

// destination is one configured DSP and the transport to it.
type destination struct {
	name      string
	cfg       *config.DSP
	transport delivery.Transport
	acks      *delivery.AckIndex // the DSP's acknowledgement folder, listed once per poll
}

// startDestinations builds a transport per DSP. The built-in sandbox DSP
// is started here, on loopback, and reached over real SFTP.
func (e *Engine) startDestinations(ctx context.Context) error {
	e.dests = map[string]*destination{}
	var box *sandbox.Server
	for _, name := range e.cfg.DSPNames() {
		d := e.cfg.DSP[name]
		var t delivery.Transport
		var err error
		switch d.Transport {
		case "local":
			t, err = local.New(d.Local.Dir)
		case "sftp":
			t, err = sftp.New(sftpOptions(name, d, e))
		case "s3":
			t, err = s3.New(ctx, s3Options(name, d, e))
		case "package":
			t, err = bulk.New(bulkOptions(name, d, e))
		case "sandbox":
			if box == nil {
				box, err = sandbox.Start(ctx, sandbox.Options{
					Dir:      e.layout.State("sandbox"),
					Identity: ern.Party{DPID: d.DPID, Name: d.Name},
					Logger:   e.log.With("dsp", name),
				})
				if err != nil {
					return err
				}
			}
			s := *d
			s.SFTP = config.SFTP{Host: "127.0.0.1", Port: box.Port, User: sandbox.User, KeyFile: box.ClientKey,
				KnownHosts: box.KnownHosts, PacketSize: d.SFTP.PacketSize, Concurrency: d.SFTP.Concurrency,
				MaxSessions: d.SFTP.MaxSessions, Streams: d.SFTP.Streams, Timeout: d.SFTP.Timeout}
			t, err = sftp.New(sftpOptions(name, &s, e))
		}
		if err != nil {
			return fmt.Errorf("DSP %s: %w", name, err)
		}
		acks := delivery.NewAckIndex(t, d.Ack.Dir, delivery.AckIndexOptions{Archive: d.Ack.Archive,
			MaxAge: d.Ack.Poll.Duration / 2, Logger: e.log.With("dsp", name)})
		e.dests[name] = &destination{name: name, cfg: d, transport: t, acks: acks}
	}
	return nil
}

func sftpOptions(name string, d *config.DSP, e *Engine) sftp.Options {
	s := d.SFTP
	dir := s.Dir
	if dir == "." {
		dir = ""
	}
	return sftp.Options{
		Host: s.Host, Port: s.Port, User: s.User,
		KeyFile: s.KeyFile, KeyPassphraseFile: s.KeyPassphraseFile, KeyPassphraseEnv: s.KeyPassphraseEnv,
		PasswordFile: s.PasswordFile, PasswordEnv: s.PasswordEnv,
		KnownHosts: s.KnownHosts, Dir: dir,
		PacketSize: s.PacketSize, Concurrency: s.Concurrency, MaxSessions: s.MaxSessions, Streams: s.Streams,
		DialTimeout: s.Timeout.Duration,
		Logger:      e.log.With("dsp", name),
	}
}

func s3Options(name string, d *config.DSP, e *Engine) s3.Options {
	s := d.S3
	return s3.Options{
		Bucket: s.Bucket, Prefix: s.Prefix, Region: s.Region, Endpoint: s.Endpoint, PathStyle: s.PathStyle,
		Credentials: s3.Credentials{Source: s.Credentials, AccessKeyEnv: s.AccessKeyEnv, SecretKeyEnv: s.SecretKeyEnv,
			SessionTokenEnv: s.SessionTokenEnv, File: s.CredentialsFile, Profile: s.Profile},
		SSE: s.SSE, SSEKMSKeyID: s.SSEKMSKeyID,
		PartSize: int64(s.PartSizeMiB) << 20, Concurrency: s.Concurrency, Timeout: s.Timeout.Duration,
		Logger: e.log.With("dsp", name),
	}
}

func bulkOptions(name string, d *config.DSP, e *Engine) bulk.Options {
	p := d.Package
	o := bulk.Options{Dir: p.Dir, Name: p.Name, Layout: p.Layout, Now: e.now, Logger: e.log.With("dsp", name)}
	if len(p.Columns) > 0 {
		o.Sheet = &bulk.Sheet{Name: p.Sheet}
		for _, c := range p.Columns {
			o.Sheet.Columns = append(o.Sheet.Columns, bulk.Column{Header: c.Header, Field: c.Field, Value: c.Value})
		}
	}
	return o
}
