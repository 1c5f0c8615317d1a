package sandbox

import (
	"context"
	"testing"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp"
	"github.com/ferrydelivery/ferry/stages/delivery/transporttest"
)

// TestConformance runs the Transport conformance suite against the
// built-in sandbox DSP, reached as the pipeline reaches it: over SFTP.
func TestConformance(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, Options{Dir: t.TempDir(), Identity: ern.Party{DPID: "PADPIDA2014122301Q", Name: "sandbox"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); s.Wait() })
	transporttest.Run(t, func(t *testing.T) delivery.Transport {
		c, err := sftp.New(sftp.Options{Host: "127.0.0.1", Port: s.Port, User: User, KeyFile: s.ClientKey, KnownHosts: s.KnownHosts})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}, transporttest.Options{})
}
