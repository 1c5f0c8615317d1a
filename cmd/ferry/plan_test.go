package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/media/mediatest"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// ferry plan on a copy of a delivered release with a new cover: an update
// that sends the cover and describes the unchanged audio without sending
// it, judged against the ledger the real daemon wrote.
func TestPlanShowsAnUpdateAgainstTheLedger(t *testing.T) {
	root := t.TempDir()
	cfg := testConfig(t, root, "node-a", "")
	d := startDaemon(t, cfg)
	staging := t.TempDir()
	dropInto(t, root, releasetest.Write(t, staging, "first", 7, releasetest.Options{}))
	waitFor(t, 30*time.Second, "the first delivery", func() bool {
		return len(entries(t, filepath.Join(root, "acknowledged"))) == 1
	})
	d.stop()

	again := releasetest.Write(t, staging, "again", 7, releasetest.Options{})
	if err := mediatest.WriteJPEG(filepath.Join(again, "cover.jpg"), 3001, 3001); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ferryBin, "plan", "-config", cfg, "-json", again).Output()
	if err != nil {
		t.Fatalf("ferry plan: %v\n%s", err, out)
	}
	var plans []dspPlan
	if err := json.Unmarshal(out, &plans); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(plans) != 1 || plans[0].Kind != "update" || plans[0].Delivered == "" {
		t.Fatalf("plan %s, want one update of the delivered message", out)
	}
	sent := map[string]bool{}
	for _, f := range plans[0].Files {
		sent[f.Resource] = f.Send
	}
	if !sent["cover"] || sent["audio:GBEXR2600007"] || sent["audio:GBEXR2700007"] {
		t.Errorf("sent %v: want the new cover alone (with the message)", sent)
	}

	// The catalogue shows the release live at the sandbox, found by UPC
	// and by ISRC, with the message the sandbox accepted.
	out, err = exec.Command(ferryBin, "releases", "-config", cfg, "-json", "GBEXR2600007").Output()
	if err != nil {
		t.Fatalf("ferry releases: %v\n%s", err, out)
	}
	var cat []record.CatalogueRelease
	if err := json.Unmarshal(out, &cat); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(cat) != 1 || cat[0].UPC != releasetest.UPC(7) || len(cat[0].Platforms) != 1 ||
		cat[0].Platforms[0].State != record.StateLive || len(cat[0].Platforms[0].Messages) != 1 ||
		cat[0].Platforms[0].Messages[0].MessageID != plans[0].Delivered {
		t.Errorf("catalogue %s", out)
	}
	// With the deals the DSP accepted: where and when it is on sale.
	if ds := cat[0].Platforms[0].Deals; len(ds) == 0 || len(ds[0].Territories) == 0 || ds[0].CommercialModel == "" || ds[0].Start == "" {
		t.Errorf("catalogue deals %+v", ds)
	}
	if text, err := exec.Command(ferryBin, "releases", "-config", cfg, releasetest.UPC(7)).Output(); err != nil || !strings.Contains(string(text), "    deal: ") {
		t.Errorf("ferry releases UPC (%v):\n%s", err, text)
	}
	if out, err := exec.Command(ferryBin, "releases", "-config", cfg, "4006381333931").CombinedOutput(); err == nil {
		t.Errorf("a UPC never delivered matched:\n%s", out)
	}

	// Dropped, the folder is packaged as planned, and the instance keeps
	// that plan in .ferry/plan.json.
	d = startDaemon(t, cfg)
	dropInto(t, root, again)
	inst := filepath.Join(root, "acknowledged", "again@"+plans[0].DSP)
	waitFor(t, 30*time.Second, "the update delivered", func() bool {
		_, err := os.Stat(inst)
		return err == nil
	})
	d.stop()
	raw, err := os.ReadFile(filepath.Join(inst, record.ItemDir, record.PlanFile))
	if err != nil {
		t.Fatalf("no plan in the instance: %v", err)
	}
	var kept record.Plan
	if err := json.Unmarshal(raw, &kept); err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if kept.Kind != "update" || kept.Replaces != plans[0].Delivered || kept.MessageID == "" {
		t.Fatalf("plan.json %s, want the update of %s", raw, plans[0].Delivered)
	}
	planned := map[string]delivery.FilePlan{}
	for _, f := range plans[0].Files {
		planned[f.Resource] = f
	}
	message := false
	for _, f := range kept.Files {
		if f.Role == record.RoleMessage {
			message = f.Send
			continue
		}
		if want, ok := planned[f.Resource]; !ok || f.Send != want.Send || f.Why != want.Why {
			t.Errorf("plan.json: %+v, ferry plan said %+v", f, want)
		}
		delete(planned, f.Resource)
	}
	if !message || len(planned) != 0 {
		t.Errorf("plan.json %s: message sent %v, files ferry plan named and plan.json did not: %v", raw, message, planned)
	}
}
