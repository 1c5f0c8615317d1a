package validate

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
)

// testPresets is the configuration the preset tests validate against:
// three DSPs, and a preset "majors" with a general deal priced in euros
// and a download deal for "other" alone.
const testPresetConfig = `
[dsp.dsp]
transport = "sandbox"
[dsp.other]
transport = "sandbox"
[dsp.third]
transport = "sandbox"

[preset.majors]
dsps = ["dsp", "other"]

[[preset.majors.deals]]
territories = ["Worldwide"]
excluded_territories = ["KP"]
commercial_model = "SubscriptionModel"
use_types = ["OnDemandStream"]
start_date = "release"
end_date = "release+365d"
price_tier = "FRONT"
wholesale_price = { amount = "0.70", currency = "EUR" }

[[preset.majors.deals]]
dsp = ["other"]
territories = ["GB"]
commercial_model = "PayAsYouGoModel"
use_types = ["PermanentDownload"]
preorder_date = "release-14d"
wholesale_price = { amount = "7.50", currency = "GBP" }
`

func presetValidator(t testing.TB) *Validator {
	t.Helper()
	cfg, err := config.Parse(testPresetConfig)
	if err != nil {
		t.Fatal(err)
	}
	v := ValidatorFor(cfg)
	v.Now = func() time.Time { return testNow }
	return v
}

// withoutDeals is release.toml with its [[deals]] removed.
func withoutDeals(_ testing.TB, s string) string { return s[:strings.Index(s, "[[deals]]")] }

// dealText is a short description of deals, for comparing.
func dealText(ds []ern.Deal) string {
	var out []string
	for _, d := range ds {
		s := fmt.Sprintf("%s %s %s..%s", strings.Join(d.Territories, "+"), d.CommercialModel, d.StartDate, d.EndDate)
		if len(d.ExcludedTerritories) > 0 {
			s += " -" + strings.Join(d.ExcludedTerritories, "-")
		}
		if d.PreOrderDate != "" {
			s += " pre " + d.PreOrderDate
		}
		for _, p := range d.Prices {
			s += fmt.Sprintf(" [%s %s %s]", p.Code, p.Wholesale.Value, p.Wholesale.Currency)
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

// TestDealsFor: each DSP's deals, by the rule DealsFor documents, for a
// release with a preset alone, a preset and a per-DSP override, general
// and per-DSP deals without a preset, and deliver_to with a preset.
func TestDealsFor(t *testing.T) {
	const (
		presetGeneral = "Worldwide SubscriptionModel 2026-12-04..2027-12-04 -KP [FRONT  ] [ 0.70 EUR]"
		presetOther   = "GB PayAsYouGoModel .. pre 2026-11-20 [ 7.50 GBP]"
		ownGeneral    = "Worldwide SubscriptionModel 2026-12-04..; Worldwide PayAsYouGoModel 2026-12-04.."
		ownSpotify    = "US AdvertisementSupportedModel 2027-01-01.. [TIER2  ]"
	)
	override := `
[[deals]]
dsp = ["dsp"]
territories = ["US"]
commercial_model = "AdvertisementSupportedModel"
use_types = ["Stream"]
start_date = "2027-01-01"
price_tier = "TIER2"
`
	cases := []struct {
		name    string
		toml    func(testing.TB, string) string
		targets string            // the DSPs the release goes to
		want    map[string]string // DSP -> its deals
	}{
		{"preset only", edits(withoutDeals, replace(`action = "deliver"`, `action = "deliver"`+"\npreset = \"majors\"")),
			"dsp,other", map[string]string{"dsp": presetGeneral, "other": presetOther}},
		{"preset and a per-DSP override", edits(withoutDeals, replace(`action = "deliver"`, `action = "deliver"`+"\npreset = \"majors\""), appendTOML(override)),
			"dsp,other", map[string]string{"dsp": ownSpotify, "other": presetOther}},
		{"preset, but the release's own general deals win", replace(`action = "deliver"`, `action = "deliver"`+"\npreset = \"majors\""),
			"dsp,other", map[string]string{"dsp": ownGeneral, "other": ownGeneral}},
		{"general and per-DSP, no preset", edits(replace(`action = "deliver"`, `action = "deliver"`+"\ndeliver_to = [\"dsp\", \"other\"]"), appendTOML(override)),
			"dsp,other", map[string]string{"dsp": ownSpotify, "other": ownGeneral}},
		{"deliver_to replaces the preset's DSPs, its deals still apply", edits(withoutDeals,
			replace(`action = "deliver"`, `action = "deliver"`+"\npreset = \"majors\"\ndeliver_to = [\"third\", \"other\"]")),
			"third,other", map[string]string{"third": presetGeneral, "other": presetOther}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := goodRelease(t)
			editTOML(t, dir, c.toml)
			v := presetValidator(t)
			rel, ps := v.Validate(dir)
			if ps.Errors() > 0 {
				t.Fatalf("%s", ps.Error())
			}
			if got := strings.Join(v.Targets(rel), ","); got != c.targets {
				t.Errorf("targets %s, want %s", got, c.targets)
			}
			for dsp, want := range c.want {
				if got := dealText(rel.DealsFor(dsp)); got != want {
					t.Errorf("DealsFor(%s) = %s\nwant %s", dsp, got, want)
				}
			}
			// The packaging stage loads the validated release the same way.
			loaded, ps := v.Load(context.Background(), dir)
			if ps.Errors() > 0 {
				t.Fatalf("Load: %s", ps.Error())
			}
			for dsp, want := range c.want {
				if got := dealText(loaded.DealsFor(dsp)); got != want {
					t.Errorf("Load: DealsFor(%s) = %s\nwant %s", dsp, got, want)
				}
			}
		})
	}
}

// TestPresetProblems: what a release misusing presets or per-DSP deals
// is told, with the line of release.toml it concerns.
func TestPresetProblems(t *testing.T) {
	preset := replace(`action = "deliver"`, `action = "deliver"`+"\npreset = \"majors\"")
	cases := []struct {
		name                string
		toml                func(testing.TB, string) string
		rule, where, phrase string
	}{
		{"unknown preset", replace(`action = "deliver"`, `action = "deliver"`+"\npreset = \"majorz\""),
			rulePreset, "preset", `"majorz" is not a preset in ferry's configuration (configured: majors)`},
		{"deal for a DSP not delivered to", edits(preset, appendTOML(`dsp = ["third"]`)),
			ruleDealDSP, "deals[2].dsp", `"third" is not a DSP this release is delivered to (dsp, other)`},
		{"a DSP left without deals", edits(replace(`action = "deliver"`, `action = "deliver"`+"\ndeliver_to = [\"dsp\", \"other\"]"),
			func(_ testing.TB, s string) string {
				return strings.ReplaceAll(s, "[[deals]]\n", "[[deals]]\ndsp = [\"dsp\"]\n")
			}),
			ruleDealDSP, "deals", "none names other"},
		{"bad currency", appendTOML(`wholesale_price = { amount = "0.99", currency = "XYZ" }`),
			rulePrice, "deals[2].wholesale_price", `"XYZ" is not an ISO 4217 currency code`},
		{"bad amount", appendTOML(`wholesale_price = { amount = "-1", currency = "EUR" }`),
			rulePrice, "deals[2].wholesale_price", `"-1" is not an amount`},
		{"preset deal out of date", edits(withoutDeals, preset,
			replace(`release_date = "2026-12-04"`, `release_date = "2020-01-01"`),
			replace(`original_release_date = "2026-12-04"`, `original_release_date = "2020-01-01"`)),
			ruleDealEnded, "preset.majors.deals[1].end_date", "ended on 2020-12-31"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := goodRelease(t)
			editTOML(t, dir, c.toml)
			_, ps := presetValidator(t).Validate(dir)
			p, ok := findProblem(ps, c.rule, c.where, c.phrase)
			if !ok {
				t.Fatalf("no %s problem at %s saying %q in:\n%s", c.rule, c.where, c.phrase, ps.Error())
			}
			if p.Line == 0 {
				t.Errorf("the problem has no line: %s", p)
			}
		})
	}
}

// TestPresetWithoutConfiguration: validated without a configuration (ferry
// validate without -config), a release that relies on its preset is told
// that the preset was not applied, not merely that it has no deals.
func TestPresetWithoutConfiguration(t *testing.T) {
	dir := goodRelease(t)
	editTOML(t, dir, edits(withoutDeals, replace(`action = "deliver"`, `action = "deliver"`+"\npreset = \"majors\"")))
	_, ps := (&Validator{Now: func() time.Time { return testNow }}).Validate(dir)
	if _, ok := findProblem(ps, ruleRequired, "deals", `its preset "majors" was not applied`); !ok || ps.Errors() != 1 {
		t.Errorf("problems:\n%s", ps.Error())
	}
}

// TestPresetIssues: the vocabulary of preset deals is checked in the
// configuration, with its lines.
func TestPresetIssues(t *testing.T) {
	cfg, is := config.Lint(testPresetConfig + `
[preset.bad]
dsps = ["dsp"]
[[preset.bad.deals]]
territories = ["UK"]
commercial_model = "Subscription"
use_types = ["OnDemandStream"]
wholesale_price = { amount = "1", currency = "ABC" }
`)
	if len(is) > 0 {
		t.Fatalf("config: %v", is)
	}
	base := strings.Count(testPresetConfig, "\n")
	want := map[string]int{
		`preset.bad.deals[1].territories: "UK"`:                       base + 5,
		`preset.bad.deals[1].commercial_model: "Subscription" is not`: base + 6,
		`preset.bad.deals[1].wholesale_price: currency: "ABC"`:        base + 8,
	}
	got := PresetIssues(cfg)
	for w, line := range want {
		found := false
		for _, i := range got {
			if strings.HasPrefix(i.What(), w) && i.Line == line {
				found = true
			}
		}
		if !found {
			t.Errorf("no issue %q on line %d in:\n%v", w, line, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d issues, want %d:\n%v", len(got), len(want), got)
	}
	ok, _ := config.Lint(testPresetConfig)
	if is := PresetIssues(ok); len(is) > 0 {
		t.Errorf("a good preset has issues: %v", is)
	}
}

// presetBadReleases are the bad releases of the rules this file adds,
// for the catalogue of rules.
func presetBadReleases() []badRelease {
	presets := func(t *testing.T, v *Validator) { v.Presets = presetValidator(t).Presets }
	return []badRelease{
		{name: "unknown preset", toml: replace(`action = "deliver"`, `action = "deliver"`+"\npreset = \"majorz\""), validator: presets,
			rule: rulePreset, where: "preset", phrase: `"majorz" is not a preset`},
		{name: "deal for a DSP not delivered to", toml: appendTOML(`dsp = ["spotify"]`),
			rule: ruleDealDSP, where: "deals[2].dsp", phrase: `"spotify" is not a DSP this release is delivered to`},
		{name: "wholesale price in no currency", toml: appendTOML(`wholesale_price = { amount = "0.99", currency = "XYZ" }`),
			rule: rulePrice, where: "deals[2].wholesale_price", phrase: "not an ISO 4217 currency code"},
	}
}
