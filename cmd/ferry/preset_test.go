package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/erntest"
	"github.com/ferrydelivery/ferry/stages/delivery/sftp/sshdtest"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// A release naming the preset "majors" goes, through a real ferry run,
// to the preset's two DSPs — the built-in sandbox (ERN 4.3) and Debian's
// sshd (ERN 4.2) — each with its own deals: the sandbox the preset's
// priced worldwide subscription deal, sshd the release's per-DSP
// download deal in pounds. Each message is valid against its XSD and
// carries those deals and prices. Dropped again unchanged, ferry plan
// and the drop's history say both DSPs are skipped: live and unchanged
// (preset majors).
func TestPresetDeliversEachDSPItsDeals(t *testing.T) {
	srv := sshdtest.Start(t)
	root := t.TempDir()
	cfg := testConfig(t, root, "node-a", `
[preset.majors]
dsps = ["spotify", "apple"]
[[preset.majors.deals]]
territories = ["Worldwide"]
excluded_territories = ["KP"]
commercial_model = "SubscriptionModel"
use_types = ["OnDemandStream"]
start_date = "release"
end_date = "release+365d"
price_tier = "FRONT"
wholesale_price = { amount = "0.70", currency = "EUR" }

[dsp.spotify]
transport = "sandbox"
dpid = "PADPIDA2014122301Q"
ack.poll = "200ms"
ack.timeout = "1m"
`+sshdDSP("apple", srv, "ern_version = \"4.2\"\nack.mode = \"none\""))
	if out, err := exec.Command(ferryBin, "check-config", cfg).CombinedOutput(); err != nil {
		t.Fatalf("check-config: %v\n%s", err, out)
	}
	d := startDaemon(t, cfg)
	staging := t.TempDir()
	opts := releasetest.Options{Preset: "majors", Deals: []string{`
dsp = ["apple"]
territories = ["GB", "IE"]
commercial_model = "PayAsYouGoModel"
use_types = ["PermanentDownload"]
start_date = "2026-12-04"
wholesale_price = { amount = "0.99", currency = "GBP" }
`}}
	dropInto(t, root, releasetest.Write(t, staging, "majors", 61, opts))
	for _, dsp := range []string{"spotify", "apple"} {
		waitFor(t, 60*time.Second, "the release at "+dsp, func() bool {
			_, err := os.Stat(filepath.Join(root, "acknowledged", "majors@"+dsp))
			return err == nil
		})
	}
	upc := releasetest.UPC(61)
	received := map[string]string{
		"spotify": filepath.Join(root, ".ferry", "sandbox", "received", "N_"+upc+"_*", upc+".xml"),
		"apple":   filepath.Join(srv.Root, "N_"+upc+"_*", upc+".xml"),
	}
	want := map[string]struct {
		version string
		deals   string
	}{
		"spotify": {"43", "Worldwide -KP SubscriptionModel 2026-12-04..2027-12-04: FRONT, 0.70 EUR"},
		"apple":   {"42", "GB+IE PayAsYouGoModel 2026-12-04..: 0.99 GBP"},
	}
	for dsp, pattern := range received {
		msgs, _ := filepath.Glob(pattern)
		if len(msgs) != 1 {
			t.Fatalf("%s received %d messages: %v", dsp, len(msgs), msgs)
		}
		b, err := os.ReadFile(msgs[0])
		if err != nil {
			t.Fatal(err)
		}
		erntest.Validate(t, erntest.Schema(t, want[dsp].version), b)
		m, v, err := ern.ReadBytes(b)
		if err != nil {
			t.Fatal(err)
		}
		if v.Dir() != want[dsp].version {
			t.Errorf("%s got ERN %s, want %s", dsp, v, want[dsp].version)
		}
		if got := describeDeals(m.Release.Deals); got != want[dsp].deals {
			t.Errorf("%s received the deals\n  %s\nwant\n  %s", dsp, got, want[dsp].deals)
		}
		// The instance's plan names the preset the deals came from.
		raw, _ := os.ReadFile(filepath.Join(root, "acknowledged", "majors@"+dsp, record.ItemDir, record.PlanFile))
		var plan record.Plan
		if err := json.Unmarshal(raw, &plan); err != nil || plan.Preset != "majors" || plan.Kind != "new" {
			t.Errorf("%s: plan.json %s (%v), want a new delivery from preset majors", dsp, raw, err)
		}
	}

	// The same release again, unchanged: nothing to send anywhere, and
	// the plan and the drop's history say why.
	again := releasetest.Write(t, staging, "again", 61, opts)
	out, err := exec.Command(ferryBin, "plan", "-config", cfg, again).CombinedOutput()
	if err != nil {
		t.Fatalf("ferry plan: %v\n%s", err, out)
	}
	for _, dsp := range []string{"spotify", "apple"} {
		if line := dsp + ": skipped: live and unchanged (preset majors)"; !strings.Contains(string(out), line) {
			t.Errorf("ferry plan does not say %q:\n%s", line, out)
		}
	}
	out, err = exec.Command(ferryBin, "plan", "-config", cfg, "-json", again).Output()
	if err != nil {
		t.Fatalf("ferry plan -json: %v\n%s", err, out)
	}
	var plans []dspPlan
	if err := json.Unmarshal(out, &plans); err != nil || len(plans) != 2 || plans[0].Preset != "majors" || plans[0].Skipped == "" {
		t.Errorf("ferry plan -json (%v): %s", err, out)
	}
	dropInto(t, root, again)
	report := filepath.Join(root, "failed", "again", "ERRORS.txt")
	waitFor(t, 30*time.Second, "the unchanged drop explained", func() bool {
		_, err := os.Stat(report)
		return err == nil
	})
	if b, _ := os.ReadFile(report); !strings.Contains(string(b), "apple: skipped: live and unchanged (preset majors)") {
		t.Errorf("ERRORS.txt:\n%s", b)
	}
	history, _ := os.ReadFile(filepath.Join(root, "failed", "again", ".ferry", "history.jsonl"))
	for _, dsp := range []string{"spotify", "apple"} {
		if note := dsp + " skipped: live and unchanged (preset majors)"; !strings.Contains(string(history), note) {
			t.Errorf("the history has no line %q:\n%s", note, history)
		}
	}
	d.stop()
}

// describeDeals writes deals as the test compares them: territories,
// exclusions, commercial model, validity, and each PriceInformation.
func describeDeals(deals []ern.Deal) string {
	var out []string
	for _, d := range deals {
		s := strings.Join(d.Territories, "+")
		if len(d.ExcludedTerritories) > 0 {
			s += " -" + strings.Join(d.ExcludedTerritories, "-")
		}
		var prices []string
		for _, p := range d.Prices {
			prices = append(prices, strings.TrimSpace(p.Code+" "+p.Wholesale.Value+" "+p.Wholesale.Currency))
		}
		out = append(out, fmt.Sprintf("%s %s %s..%s: %s", s, d.CommercialModel, d.StartDate, d.EndDate, strings.Join(prices, ", ")))
	}
	return strings.Join(out, "; ")
}
