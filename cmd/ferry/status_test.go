package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/pipeline"
)

func TestStatusTable(t *testing.T) {
	items := []pipeline.ItemStatus{{
		Release: "harbour-lights", DSP: "spotify", Stage: pipeline.Packaged, Since: time.Now().Add(-time.Minute),
		Attempt: 1, Tries: 3, Kind: "update", MessageID: "FERRY-1234",
		Upload: &pipeline.Progress{Done: 185134080, Total: 4 * 185134080, Rate: 10 << 20},
		LastError: "upload N_5901234123457_20261205/resources/5901234123457_01_01.wav to sftp.example.com:22: " +
			"connect to sftp.example.com:22: dial tcp 203.0.113.7:22: connect: connection refused",
	}}
	var b bytes.Buffer
	printStatus(&b, items)
	out := b.String()
	for _, want := range []string{"TRIES", "KIND", "MESSAGE ID", "update", "FERRY-1234",
		"176.6 MiB of 706.2 MiB (25%), 10.0 MiB/s, 53s left", "connection refused"} {
		if !strings.Contains(out, want) {
			t.Errorf("status table lacks %q:\n%s", want, out)
		}
	}
	row := strings.Split(strings.TrimSpace(out), "\n")[1]
	if !strings.Contains(row, "  3  ") {
		t.Errorf("tries count not shown: %s", row)
	}
}
