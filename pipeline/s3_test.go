package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/stages/delivery/s3/s3test"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// s3Config is a configuration delivering to the bucket of srv, under the
// prefix "label", as DSP "dsp"; the keys come from the environment.
func s3Config(t *testing.T, srv *s3test.Server) *config.Config {
	t.Helper()
	t.Setenv("FERRY_TEST_DSP_KEY", srv.AccessKey)
	t.Setenv("FERRY_TEST_DSP_SECRET", srv.SecretKey)
	cfg, err := config.Parse(fmt.Sprintf(`
root = %q
node = "test"
[sender]
dpid = "PADPIDA3897722461G"
[watch]
settle = "200ms"
poll_interval = "100ms"
rescan = "500ms"
[retry]
initial = "200ms"
max = "1s"
[metrics]
listen = ""
[dsp.dsp]
dpid = "PADPIDA2014122301Q"
transport = "s3"
ack.poll = "200ms"
ack.timeout = "1m"
[dsp.dsp.s3]
bucket = %q
prefix = "label"
endpoint = %q
path_style = true
credentials = "env"
access_key_env = "FERRY_TEST_DSP_KEY"
secret_key_env = "FERRY_TEST_DSP_SECRET"
part_size_mib = 5
`, t.TempDir(), srv.Bucket, srv.Endpoint))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestS3DeliveryAndMetadataOnlyUpdate delivers a release into a bucket
// of a real S3 server (versitygw), acknowledged by a DSP writing under
// the bucket prefix, then drops it again with a new title: the update
// puts the message alone, no resource.
func TestS3DeliveryAndMetadataOnlyUpdate(t *testing.T) {
	srv := s3test.Start(t, "")
	prefixDir := filepath.Join(srv.Root, srv.Bucket, "label")
	os.MkdirAll(prefixDir, 0o755)
	fakeDSP(t, prefixDir, accepted)
	e := runEngine(t, s3Config(t, srv))

	const n = 400
	drop(t, e, "s3rel", n, releasetest.Options{})
	waitPath(t, filepath.Join(e.layout.Dir(Acknowledged), "s3rel@dsp"), 30*time.Second)
	first := deliveryFolders(t, prefixDir, n)
	if len(first) != 1 {
		t.Fatalf("delivery folders in the bucket: %v; want 1", first)
	}
	res, _ := filepath.Glob(filepath.Join(first[0], "resources", "*"))
	if len(res) != 3 {
		t.Fatalf("first delivery holds resources %v; want 2 tracks and the cover", res)
	}

	dir := releasetest.Write(t, t.TempDir(), "s3rel", n, releasetest.Options{})
	editTOML(t, dir, `title = "Test Release`, `title = "Test Release (Remastered)`)
	must(t, os.Rename(dir, filepath.Join(e.layout.Dir(Inbox), "s3rel")))
	waitPath(t, filepath.Join(e.layout.Dir(Acknowledged), "s3rel@dsp~2"), 30*time.Second)
	folders := deliveryFolders(t, prefixDir, n)
	if len(folders) != 2 {
		t.Fatalf("delivery folders %v; want the update beside the first", folders)
	}
	var sent []string
	filepath.WalkDir(folders[1], func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(folders[1], p)
			sent = append(sent, rel)
		}
		return nil
	})
	if want := releasetest.UPC(n) + ".xml"; len(sent) != 1 || sent[0] != want {
		t.Errorf("the metadata-only update put %v; want only %s", sent, want)
	}
}
