package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern/erntest"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// TestBatchProfileToSandbox delivers with the batch choreography and UPC
// file naming to the built-in sandbox DSP, which acknowledges a batch once
// its BatchComplete manifest is there.
func TestBatchProfileToSandbox(t *testing.T) {
	cfg, err := config.Parse(fmt.Sprintf(`
root = %q
node = "test"
[sender]
dpid = "PADPIDA3897722461G"
[watch]
settle = "200ms"
poll_interval = "100ms"
[metrics]
listen = ""
[dsp.sandbox]
transport = "sandbox"
dpid = "PADPIDA2014122301Q"
profile = "batch"
naming = "upc"
ern_version = "4.3.2"
ack.poll = "200ms"
`, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	e := runEngine(t, cfg)
	drop(t, e, "batched", 9, releasetest.Options{})
	waitPath(t, filepath.Join(e.layout.Dir(Acknowledged), "batched@sandbox"), 30*time.Second)

	upc := releasetest.UPC(9)
	received := e.layout.State("sandbox", "received")
	batches, _ := filepath.Glob(filepath.Join(received, "N_?????????????????"))
	if len(batches) != 1 {
		t.Fatalf("batch folders %v, want one N_<BatchId>", batches)
	}
	batch := batches[0]
	manifests, _ := filepath.Glob(filepath.Join(batch, "BatchComplete_*.xml"))
	if len(manifests) != 1 || filepath.Base(manifests[0]) != "BatchComplete_"+filepath.Base(batch)[2:]+".xml" {
		t.Fatalf("manifest %v in %s", manifests, batch)
	}
	manifest, _ := os.ReadFile(manifests[0])
	erntest.Validate(t, erntest.ChoreographySchema(t), manifest)
	msg, err := os.ReadFile(filepath.Join(batch, upc, upc+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	erntest.Validate(t, erntest.Schema(t, "432"), msg)
	for _, name := range []string{upc + "_01_01.wav", upc + "_01_02.flac", upc + ".jpg"} {
		if _, err := os.Stat(filepath.Join(batch, upc, "resources", name)); err != nil {
			t.Errorf("resource %s: %v", name, err)
		}
	}
}
