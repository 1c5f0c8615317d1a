package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
)

// forEachDSP runs test twice: against the embedded sandbox, and against
// Debian's sshd with a DSP that accepts every message (see
// ackResponder). dsps gives the configuration of DSPs with the names
// it is given, of the kind of the run.
func forEachDSP(t *testing.T, test func(t *testing.T, dsps func(names ...string) string)) {
	t.Run("sandbox", func(t *testing.T) {
		test(t, func(names ...string) string {
			var b strings.Builder
			for _, name := range names {
				fmt.Fprintf(&b, "[dsp.%s]\ntransport = \"sandbox\"\ndpid = \"PADPIDA2014122301Q\"\nack.poll = \"200ms\"\n", name)
			}
			return b.String()
		})
	})
	t.Run("sshd", func(t *testing.T) {
		test(t, func(names ...string) string {
			var b strings.Builder
			for _, name := range names {
				srv := sshdtest.Start(t)
				startAckResponder(t, srv.Root)
				b.WriteString(sshdDSP(name, srv, `ack.poll = "200ms"`))
			}
			return b.String()
		})
	})
}
