package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// An item waiting for its acknowledgement is claimed (renamed) at every
// poll, which resets its folder's ctime. Its age must come from when it
// entered uploaded/, or FerryAcknowledgementOverdue could never fire:
// against a real daemon polling every 200 ms, the oldest uploaded item's
// timestamp must stay at its upload, seconds in the past.
func TestUploadedAgeSurvivesAcknowledgementPolls(t *testing.T) {
	srv := sshdtest.Start(t) // a DSP that never acknowledges
	root := t.TempDir()
	d := startDaemon(t, testConfig(t, root, "node-a", sshdDSP("silent", srv, `ack.poll = "200ms"
ack.timeout = "1h"`)))
	staging := t.TempDir()
	dropInto(t, root, releasetest.Write(t, staging, "waiting", 1, releasetest.Options{}))
	waitFor(t, 30*time.Second, "the release in uploaded/", func() bool {
		return len(entries(t, filepath.Join(root, "uploaded"))) > 0 || len(claimedLeft(t, root)) > 0 && len(entries(t, filepath.Join(root, "packaged"))) == 0
	})
	uploadedAt := time.Now()
	time.Sleep(4 * time.Second) // some twenty polls
	_, body := get(t, d.metricsURL())
	var ts float64
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, `ferry_stage_oldest_item_timestamp_seconds{stage="uploaded"}`) {
			f := strings.Fields(line)
			ts, _ = strconv.ParseFloat(f[len(f)-1], 64)
		}
	}
	if ts == 0 {
		t.Fatalf("no uploaded item in the metrics:\n%s", body)
	}
	age := time.Since(time.Unix(0, int64(ts*1e9)))
	if age < time.Since(uploadedAt)-time.Second {
		t.Errorf("the uploaded item looks %s old after %s in uploaded/: its age restarts at every poll", age.Round(time.Millisecond), time.Since(uploadedAt).Round(time.Second))
	}
	if _, err := os.Stat(filepath.Join(root, "failed")); err != nil {
		t.Fatal(err)
	}
	d.stop()
}
