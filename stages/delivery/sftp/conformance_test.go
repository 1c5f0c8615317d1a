package sftp

import (
	"testing"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/delivery/transporttest"
)

// TestConformance runs the Transport conformance suite against Debian's
// sshd: one server, a fresh client per check.
func TestConformance(t *testing.T) {
	s := sshdtest.Start(t)
	transporttest.Run(t, func(t *testing.T) delivery.Transport {
		return newClient(t, options(t, s))
	}, transporttest.Options{})
}
