package pipeline

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/erntest"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// packageConfig delivers to DSP "distro" as bulk packages in outbox,
// with a metadata sheet, acknowledged as ackMode says.
func packageConfig(t *testing.T, outbox, ackMode string) *config.Config {
	t.Helper()
	cfg, err := config.Parse(fmt.Sprintf(`
root = %q
node = "test"
[sender]
dpid = "PADPIDA3897722461G"
[watch]
settle = "100ms"
poll_interval = "50ms"
rescan = "300ms"
[metrics]
listen = ""
[dsp.distro]
dpid = "PADPIDA2014122301Q"
transport = "package"
naming = "upc"
ack.mode = %q
ack.poll = "100ms"
  [dsp.distro.package]
  dir = %q
  name = "Example_{upc}_{kind}.zip"
  layout = "contents"
  sheet = "bulk_template.csv"
  [[dsp.distro.package.columns]]
  header = "UPC"
  field = "upc"
  [[dsp.distro.package.columns]]
  header = "ISRC"
  field = "isrc"
  [[dsp.distro.package.columns]]
  header = "Track Title"
  field = "track_title"
  [[dsp.distro.package.columns]]
  header = "Track No"
  field = "track_number"
  [[dsp.distro.package.columns]]
  header = "Artist"
  field = "track_artist"
  [[dsp.distro.package.columns]]
  header = "Audio File"
  field = "audio_file"
  [[dsp.distro.package.columns]]
  header = "Territories"
  value = "World"
`, t.TempDir(), ackMode, outbox))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestDistributorPackage drops a release for a distributor taking bulk
// packages: one zip appears in the outbox with the DDEX tree (the
// message valid against the ERN 4.3 schema, the resources it names) and
// a CSV sheet with one row per track in the configured columns.
func TestDistributorPackage(t *testing.T) {
	outbox := t.TempDir()
	e := runEngine(t, packageConfig(t, outbox, "none"))
	const n = 600
	drop(t, e, "bulkrel", n, releasetest.Options{})
	waitPath(t, filepath.Join(e.layout.Dir(Acknowledged), "bulkrel@distro"), 30*time.Second)

	upc := releasetest.UPC(n)
	entries, _ := os.ReadDir(outbox)
	if len(entries) != 1 || entries[0].Name() != "Example_"+upc+"_new.zip" {
		t.Fatalf("outbox holds %v; want Example_%s_new.zip alone", entries, upc)
	}
	zr, err := zip.OpenReader(filepath.Join(outbox, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		rc, err := f.Open()
		must(t, err)
		b, err := io.ReadAll(rc)
		rc.Close()
		must(t, err)
		files[f.Name] = b
		names = append(names, f.Name)
	}
	want := []string{"resources/" + upc + "_01_01.wav", "resources/" + upc + "_01_02.flac", "resources/" + upc + ".jpg", upc + ".xml", "bulk_template.csv"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("archive entries %v; want %v (resources, message, sheet)", names, want)
	}
	erntest.Validate(t, erntest.Schema(t, "43"), files[upc+".xml"])
	m, _, err := ern.Read(strings.NewReader(string(files[upc+".xml"])))
	must(t, err)
	for _, tr := range m.Release.Tracks {
		if int64(len(files[tr.Audio.File.URI()])) != tr.Audio.File.Size {
			t.Errorf("%s: %d bytes in the archive, the message says %d", tr.Audio.File.URI(), len(files[tr.Audio.File.URI()]), tr.Audio.File.Size)
		}
	}

	rows, err := csv.NewReader(strings.NewReader(string(files["bulk_template.csv"]))).ReadAll()
	must(t, err)
	wantRows := [][]string{
		{"UPC", "ISRC", "Track Title", "Track No", "Artist", "Audio File", "Territories"},
		{upc, fmt.Sprintf("GBEXR26%05d", n), "One", "1", "Test Artist", "resources/" + upc + "_01_01.wav", "World"},
		{upc, fmt.Sprintf("GBEXR27%05d", n), "Two", "2", "Test Artist", "resources/" + upc + "_01_02.flac", "World"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(wantRows) {
		t.Errorf("sheet:\n%v\nwant:\n%v", rows, wantRows)
	}
}

// TestManualAcknowledgementWaitsForAPerson: with ack.mode = "manual" the
// delivery stays in uploaded/ (no timeout) until a person moves it.
func TestManualAcknowledgementWaitsForAPerson(t *testing.T) {
	outbox := t.TempDir()
	e := runEngine(t, packageConfig(t, outbox, "manual"))
	drop(t, e, "manualrel", 601, releasetest.Options{})
	item := filepath.Join(e.layout.Dir(Uploaded), "manualrel@distro")
	waitPath(t, item, 30*time.Second)
	time.Sleep(time.Second) // several polls and rescans
	// A poll claims the item for a moment (uploaded/.claims/…), so it is
	// looked for a few times before it counts as gone.
	back := false
	for range 50 {
		if _, err := os.Stat(item); err == nil {
			back = true
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !back {
		t.Fatal("the delivery left uploaded/ without a person")
	}
	if got, _ := filepath.Glob(filepath.Join(e.layout.Dir(Acknowledged), "*")); len(got) != 0 {
		t.Errorf("acknowledged/ holds %v", got)
	}
	if entries, _ := os.ReadDir(outbox); len(entries) != 1 {
		t.Errorf("outbox holds %v; want the one package", entries)
	}
	if all, _ := e.rec.Catalogue(releasetest.UPC(601), false); len(all) != 1 || all[0].Platforms[0].State != record.StateDelivering {
		t.Errorf("catalogue while a person has not confirmed: %+v", all)
	}

	// A person confirms it: ferry records the acceptance, as a DSP's.
	done := filepath.Join(e.layout.Dir(Acknowledged), "manualrel@distro")
	for range 100 { // a poll may hold it claimed for a moment
		if os.Rename(item, done) == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The history line is the last thing written: once it is there, the
	// ledger and the catalogue must be too.
	var hist []record.HistoryLine
	waitFor(t, 30*time.Second, func() bool { // the confirmation recorded
		hist, _ = ReadHistory(done)
		return len(hist) > 0 && strings.Contains(hist[len(hist)-1].Note, "by a person")
	})
	if all, _ := e.rec.Catalogue(releasetest.UPC(601), false); len(all) != 1 || all[0].Platforms[0].State != record.StateLive {
		t.Errorf("catalogue after the confirmation: %+v", all)
	}
	if d, err := e.rec.Delivered("distro", releasetest.UPC(601)); err != nil || d.Kind != "new" {
		t.Errorf("ledger after the confirmation: %+v, %v", d, err)
	}
}

// A manual delivery a person moved to acknowledged/ while no daemon ran
// is recorded at the next start.
func TestManualConfirmationWhileStopped(t *testing.T) {
	cfg := packageConfig(t, t.TempDir(), "manual")
	first, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { first.Run(ctx, 5*time.Second); close(stopped) }()
	drop(t, first, "whilestopped", 602, releasetest.Options{})
	item := filepath.Join(first.layout.Dir(Uploaded), "whilestopped@distro")
	waitPath(t, item, 30*time.Second)
	cancel()
	<-stopped
	first.Close()
	if err := os.Rename(item, filepath.Join(first.layout.Dir(Acknowledged), "whilestopped@distro")); err != nil {
		t.Fatal(err)
	}

	e := runEngine(t, cfg)
	waitFor(t, 30*time.Second, func() bool { // the confirmation recorded at start
		d, err := e.rec.Delivered("distro", releasetest.UPC(602))
		return err == nil && d.Kind == "new"
	})
}
