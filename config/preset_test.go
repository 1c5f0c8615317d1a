package config

import (
	"strconv"
	"strings"
	"testing"
)

// presetBase is a configuration with two DSPs, to which each case adds
// its [preset] tables.
const presetBase = `
[sender]
dpid = "PADPIDA3897722461G"
[dsp.spotify]
transport = "sandbox"
[dsp.apple]
transport = "sandbox"
`

func TestPresetParse(t *testing.T) {
	cfg, err := Parse(presetBase + `
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
wholesale_price = { amount = 0.7, currency = "EUR" }

[[preset.majors.deals]]
dsp = ["apple"]
territories = ["GB"]
commercial_model = "PayAsYouGoModel"
use_types = ["PermanentDownload"]
preorder_date = "release-14d"
start_date = 2027-01-01
wholesale_price = { amount = "7.50", currency = "GBP" }
`)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Preset["majors"]
	if p == nil {
		t.Fatal("preset majors not read")
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"dsps", strings.Join(p.DSPs, ","), "spotify,apple"},
		{"deals", len(p.Deals), 2},
		{"excluded", strings.Join(p.Deals[0].ExcludedTerritories, ","), "KP"},
		{"tier", p.Deals[0].PriceTier, "FRONT"},
		{"float amount", p.Deals[0].WholesalePrice.Amount, Decimal("0.7")},
		{"text amount kept as written", p.Deals[1].WholesalePrice.Amount, Decimal("7.50")},
		{"currency", p.Deals[1].WholesalePrice.Currency, "GBP"},
		{"TOML date", p.Deals[1].StartDate, DealDate("2027-01-01")},
		{"dsp", strings.Join(p.Deals[1].DSP, ","), "apple"},
		{"names", strings.Join(cfg.PresetNames(), ","), "majors"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestPresetIssues(t *testing.T) {
	deal := `
[[preset.p.deals]]
territories = ["Worldwide"]
commercial_model = "SubscriptionModel"
use_types = ["OnDemandStream"]
`
	cases := []struct {
		name string
		text string
		// want are "line: text" fragments, each of which an issue must
		// hold; the line counts from the first line of text.
		want []string
	}{
		{"unknown DSP in dsps", "[preset.p]\ndsps = [\"spotfy\"]\n" + deal,
			[]string{`2: preset.p.dsps: "spotfy" is not a configured DSP (have apple, spotify) (did you mean "spotify"?)`}},
		{"unknown key", "[preset.p]\ndsps = [\"spotify\"]\nterritory = [\"GB\"]\n" + deal,
			[]string{`3: preset.p.territory: unknown key`}},
		{"unknown key in a deal", "[preset.p]\ndsps = [\"spotify\"]\n" + deal + "price = 1\n",
			[]string{`8: preset.p.deals[1].price: unknown key`}},
		{"deal dsp outside the preset", "[preset.p]\ndsps = [\"spotify\"]\n" + deal + "dsp = [\"apple\"]\n",
			[]string{`8: preset.p.deals[1].dsp: "apple" is not one of the preset's dsps (have spotify)`}},
		{"deal dsp not configured, no dsps", "[preset.p]\n" + deal + "dsp = [\"deezer\"]\n",
			[]string{`preset.p.deals[1].dsp: "deezer" is not a configured DSP`}},
		{"missing fields", "[preset.p]\ndsps = [\"spotify\"]\n[[preset.p.deals]]\nstart_date = \"release\"\n",
			[]string{`3: preset.p.deals[1].commercial_model: missing`, `3: preset.p.deals[1].use_types: missing`, `3: preset.p.deals[1].territories: missing`}},
		{"bad relative date", "[preset.p]\ndsps = [\"spotify\"]\n" + deal + "end_date = \"release+1y\"\n",
			[]string{`8: preset.p.deals[1].end_date: "release+1y" is neither a date`}},
		{"bad absolute date", "[preset.p]\ndsps = [\"spotify\"]\n" + deal + "start_date = \"2027-02-30\"\n",
			[]string{`8: preset.p.deals[1].start_date: "2027-02-30" is neither a date`}},
		{"bad price", "[preset.p]\ndsps = [\"spotify\"]\n" + deal + "wholesale_price = { amount = \"0,70\", currency = \"eur\" }\n",
			[]string{`8: preset.p.deals[1].wholesale_price: amount: "0,70" is not an amount`, `8: preset.p.deals[1].wholesale_price: currency: "eur" is not an ISO 4217`}},
		{"empty preset", "[preset.p]\n",
			[]string{`1: preset.p: the preset names no DSP and no deal`}},
		{"wrong type", "[preset.p]\ndsps = \"spotify\"\n",
			[]string{`2: preset.p.dsps: the value is text where`}},
	}
	baseLines := strings.Count(presetBase, "\n")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, is := Lint(presetBase + c.text)
			var got []string
			for _, i := range is {
				line := i.Line - baseLines
				got = append(got, strings.TrimPrefix(strconv.Itoa(line)+": "+i.What(), "0: "))
			}
			for _, w := range c.want {
				found := false
				for _, g := range got {
					if strings.HasPrefix(g, w) || (!startsWithDigit(w) && strings.Contains(g, w)) {
						found = true
					}
				}
				if !found {
					t.Errorf("no issue %q in:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

func TestPresetValid(t *testing.T) {
	_, is := Lint(presetBase + "[preset.p]\ndsps = [\"spotify\", \"apple\"]\n[[preset.p.deals]]\nterritories = [\"Worldwide\"]\ncommercial_model = \"SubscriptionModel\"\nuse_types = [\"OnDemandStream\"]\n")
	if len(is) > 0 {
		t.Fatalf("a valid preset has issues: %v", is)
	}
}

func TestDealDateResolve(t *testing.T) {
	cases := []struct {
		in, release, want, err string
	}{
		{"", "2027-03-05", "", ""},
		{"release", "2027-03-05", "2027-03-05", ""},
		{"release+30d", "2027-03-05", "2027-04-04", ""},
		{"release-14d", "2027-03-05", "2027-02-19", ""},
		{"release - 7d", "2027-03-01", "2027-02-22", ""},
		{"2026-12-04", "2027-03-05", "2026-12-04", ""},
		{"2026-12-04", "", "2026-12-04", ""},
		{"release+1d", "", "", "no valid release_date"},
		{"tomorrow", "2027-03-05", "", "neither a date"},
	}
	for _, c := range cases {
		got, err := DealDate(c.in).Resolve(c.release)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("Resolve(%q, %q) error = %v, want one saying %q", c.in, c.release, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("Resolve(%q, %q): %v", c.in, c.release, err)
		case got != c.want:
			t.Errorf("Resolve(%q, %q) = %q, want %q", c.in, c.release, got, c.want)
		}
	}
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }
