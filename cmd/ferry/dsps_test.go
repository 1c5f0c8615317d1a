package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
)

// forEachDSP runs test twice: against the embedded sandbox, and against
// Debian's sshd with a DSP that accepts every message (see
// acknowledgeAll). dsps gives the configuration of DSPs with the names
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
				acknowledgeAll(t, srv.Root)
				b.WriteString(sshdDSP(name, srv, `ack.poll = "200ms"`))
			}
			return b.String()
		})
	})
}

// acknowledgeAll plays the DSP on an SFTP server's folder: every message
// that arrives (N_*/<id>.xml) is accepted once, until the test ends.
func acknowledgeAll(t *testing.T, dspRoot string) {
	if err := os.MkdirAll(filepath.Join(dspRoot, "acknowledgements"), 0o755); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	t.Cleanup(func() { close(stop); wg.Wait() })
	wg.Go(func() {
		acked := map[string]bool{}
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			messages, _ := filepath.Glob(filepath.Join(dspRoot, "N_*", "*.xml"))
			for _, m := range messages {
				if acked[m] {
					continue
				}
				if b, err := os.ReadFile(m); err == nil && strings.Contains(string(b), "<MessageId>") {
					acknowledge(t, dspRoot, string(b))
					acked[m] = true
				}
			}
		}
	})
}
