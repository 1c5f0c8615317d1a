package delivery_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/erntest"
	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/ferrydelivery/ferry/stages/digest"
	"github.com/ferrydelivery/ferry/stages/validate"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// TestPresetDealsAndPricesInEveryVersion: a release with a preset naming
// one DSP per ERN version, and a per-DSP deal for one of them, is
// planned for each DSP; every message is valid against its version's
// XSD and carries that DSP's deals with their PriceInformation (price
// tier and wholesale price), as read back from the XML.
func TestPresetDealsAndPricesInEveryVersion(t *testing.T) {
	var dsps, names []string
	for _, v := range config.ERNVersions {
		name := "v" + strings.ReplaceAll(v, ".", "")
		names = append(names, fmt.Sprintf("%q", name))
		dsps = append(dsps, fmt.Sprintf("[dsp.%s]\ntransport = \"sandbox\"\ndpid = \"PADPIDA2014122301Q\"\nern_version = %q\n", name, v))
	}
	cfg, err := config.Parse(`[sender]
dpid = "PADPIDA3897722461G"
name = "Example Records"
` + strings.Join(dsps, "") + `
[preset.majors]
dsps = [` + strings.Join(names, ", ") + `]
[[preset.majors.deals]]
territories = ["Worldwide"]
commercial_model = "SubscriptionModel"
use_types = ["OnDemandStream"]
start_date = "release"
price_tier = "FRONT"
wholesale_price = { amount = "0.70", currency = "EUR" }
`)
	if err != nil {
		t.Fatal(err)
	}
	// v43 gets its own deal: a download in Japan at a yen price.
	dir := releasetest.Write(t, t.TempDir(), "priced", 31, releasetest.Options{Preset: "majors", Deals: []string{`
dsp = ["v43"]
territories = ["JP"]
commercial_model = "PayAsYouGoModel"
use_types = ["PermanentDownload"]
start_date = "2026-12-04"
price_tier = "MID"
wholesale_price = { amount = 150, currency = "JPY" }
`}})
	v := validate.ValidatorFor(cfg)
	v.Now = func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }
	rel, ps := v.Validate(dir)
	if ps.Errors() > 0 {
		t.Fatalf("%s", ps.Error())
	}
	p := &delivery.Packager{
		Sender: ern.Party{DPID: cfg.Sender.DPID, Name: cfg.Sender.Name},
		Hash: func(_ context.Context, path, algorithm string) (string, string, error) {
			s, err := digest.File(path, algorithm)
			return s.BLAKE3, s.HashSum, err
		},
		Now: time.Now,
	}
	for _, dsp := range v.Targets(rel) {
		t.Run(dsp, func(t *testing.T) {
			plan, err := p.Plan(context.Background(), rel, dsp, cfg.DSP[dsp], delivery.Prior{})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := ern.Write(&buf, plan.Version, plan.Message); err != nil {
				t.Fatal(err)
			}
			erntest.Validate(t, erntest.Schema(t, plan.Version.Dir()), buf.Bytes())
			if !bytes.Contains(buf.Bytes(), []byte("<PriceInformation")) || !bytes.Contains(buf.Bytes(), []byte("<WholesalePricePerUnit CurrencyCode=")) {
				t.Errorf("no PriceInformation with a wholesale price in the %s message", plan.Version)
			}
			m, _, err := ern.ReadBytes(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			// The tier and the wholesale price are a PriceInformation each
			// (DDEX advises against a PriceCode with a wholesale price).
			want := "Worldwide SubscriptionModel: FRONT, 0.70 EUR"
			if dsp == "v43" {
				want = "JP PayAsYouGoModel: MID, 150 JPY"
			}
			var got []string
			for _, d := range m.Release.Deals {
				var prices []string
				for _, pr := range d.Prices {
					prices = append(prices, strings.TrimSpace(pr.Code+" "+pr.Wholesale.Value+" "+pr.Wholesale.Currency))
				}
				got = append(got, fmt.Sprintf("%s %s: %s", strings.Join(d.Territories, "+"), d.CommercialModel, strings.Join(prices, ", ")))
			}
			if len(got) != 1 || got[0] != want {
				t.Errorf("deals read back from ERN %s: %q, want %q", plan.Version, got, want)
			}
		})
	}
}
