package validate

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
)

func prependTOML(text string) func(testing.TB, string) string {
	return func(_ testing.TB, s string) string { return text + "\n" + s }
}

// deal is a test deal: territories (space-separated, "Worldwide -US -CA"
// for exclusions), a commercial model, use types and the window.
func deal(territories, model, uses, start, end string) ern.Deal {
	d := ern.Deal{CommercialModel: model, UseTypes: strings.Fields(uses), StartDate: start, EndDate: end}
	for _, t := range strings.Fields(territories) {
		if ex, ok := strings.CutPrefix(t, "-"); ok {
			d.ExcludedTerritories = append(d.ExcludedTerritories, ex)
		} else {
			d.Territories = append(d.Territories, t)
		}
	}
	return d
}

const (
	sub  = "SubscriptionModel"
	ads  = "AdvertisementSupportedModel"
	paid = "PayAsYouGoModel"
)

func TestWindowOverlaps(t *testing.T) {
	everyCountryBut := func(keep string) string {
		var b strings.Builder
		b.WriteString("Worldwide")
		for c := range territoryCodes {
			if c != keep {
				b.WriteString(" -" + c)
			}
		}
		return b.String()
	}
	cases := []struct {
		name  string
		a, b  ern.Deal
		where string // "" : no overlap
		days  string
	}{
		{"same country, same model and use, open ends",
			deal("GB", sub, "OnDemandStream", "2027-01-01", ""), deal("GB", sub, "OnDemandStream", "2027-03-01", ""),
			"GB", "from 2027-03-01 on, with no end"},
		{"adjacent windows: one ends the day before the other starts",
			deal("GB", sub, "OnDemandStream", "2027-01-01", "2027-01-31"), deal("GB", sub, "OnDemandStream", "2027-02-01", ""),
			"", ""},
		{"the end date is the last day on sale: ending the day the other starts overlaps by a day",
			deal("GB", sub, "OnDemandStream", "2027-01-01", "2027-02-01"), deal("GB", sub, "OnDemandStream", "2027-02-01", ""),
			"GB", "on 2027-02-01"},
		{"one window inside the other",
			deal("DE FR", sub, "OnDemandStream", "2027-01-01", ""), deal("FR", sub, "OnDemandStream", "2027-02-01", "2027-02-28"),
			"FR", "from 2027-02-01 to 2027-02-28"},
		{"windows apart",
			deal("GB", sub, "OnDemandStream", "2027-01-01", "2027-01-31"), deal("GB", sub, "OnDemandStream", "2027-03-01", "2027-03-31"),
			"", ""},
		{"no shared territory",
			deal("GB IE", sub, "OnDemandStream", "2027-01-01", ""), deal("US CA", sub, "OnDemandStream", "2027-01-01", ""),
			"", ""},
		{"other commercial model: free and premium tiers side by side",
			deal("Worldwide", sub, "OnDemandStream", "2027-01-01", ""), deal("Worldwide", ads, "OnDemandStream", "2027-01-01", ""),
			"", ""},
		{"other use types",
			deal("Worldwide", paid, "PermanentDownload", "2027-01-01", ""), deal("Worldwide", paid, "ConditionalDownload", "2027-01-01", ""),
			"", ""},
		{"one shared use type among several",
			deal("GB", sub, "OnDemandStream NonInteractiveStream", "2027-01-01", ""), deal("GB", sub, "NonInteractiveStream", "2027-01-01", ""),
			"GB", "from 2027-01-01 on, with no end"},
		{"worldwide and a country",
			deal("Worldwide", sub, "OnDemandStream", "2027-01-01", ""), deal("JP", sub, "OnDemandStream", "2027-06-01", ""),
			"JP", "from 2027-06-01 on, with no end"},
		{"worldwide excluding the country the other deal has",
			deal("Worldwide -JP", sub, "OnDemandStream", "2027-01-01", ""), deal("JP", sub, "OnDemandStream", "2027-01-01", ""),
			"", ""},
		{"worldwide excluding some of the other deal's countries",
			deal("Worldwide -JP", sub, "OnDemandStream", "2027-01-01", ""), deal("JP KR", sub, "OnDemandStream", "2027-01-01", ""),
			"KR", "from 2027-01-01 on, with no end"},
		{"two worldwide deals",
			deal("Worldwide -US", sub, "OnDemandStream", "2027-01-01", ""), deal("Worldwide -CA", sub, "OnDemandStream", "2027-01-01", "2027-12-31"),
			"Worldwide except CA, US", "from 2027-01-01 to 2027-12-31"},
		{"two worldwide deals whose exclusions cover every country",
			deal("Worldwide -GB", sub, "OnDemandStream", "2027-01-01", ""), deal(everyCountryBut("GB"), sub, "OnDemandStream", "2027-01-01", ""),
			"", ""},
		{"no start date: the release date",
			deal("GB", sub, "OnDemandStream", "", ""), deal("GB", sub, "OnDemandStream", "2026-12-01", "2026-12-04"),
			"GB", "on 2026-12-04"},
		{"an unreadable date is left to rule date",
			deal("GB", sub, "OnDemandStream", "2027-13-01", ""), deal("GB", sub, "OnDemandStream", "2027-01-01", ""),
			"", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, complete := WindowOverlaps([]ern.Deal{c.a, c.b}, "2026-12-04")
			if !complete {
				t.Fatal("two deals: the check did not complete")
			}
			if c.where == "" {
				if len(got) != 0 {
					t.Fatalf("overlap found: %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d overlaps, want 1: %+v", len(got), got)
			}
			if o := got[0]; o.Territory != c.where || o.Days() != c.days || o.A != 0 || o.B != 1 {
				t.Errorf("overlap in %q %s (deals %d, %d), want %q %s", o.Territory, o.Days(), o.A, o.B, c.where, c.days)
			}
			// The same pair across two releases gives the same answer.
			cross, _ := DealsOverlap([]ern.Deal{c.a}, "2026-12-04", []ern.Deal{c.b}, "2026-12-04")
			if len(cross) != 1 || cross[0].Territory != c.where || cross[0].Days() != c.days {
				t.Errorf("across releases: %+v", cross)
			}
		})
	}
}

func TestDealsOverlapAcrossReleases(t *testing.T) {
	mine := []ern.Deal{
		deal("Worldwide", sub, "OnDemandStream", "2027-01-01", ""),
		deal("Worldwide", paid, "PermanentDownload", "2027-01-01", ""),
	}
	theirs := []ern.Deal{
		deal("GB", paid, "PermanentDownload", "2020-01-01", "2026-12-31"), // ended before mine start
		deal("DE", sub, "OnDemandStream", "2020-01-01", ""),
	}
	got, _ := DealsOverlap(mine, "", theirs, "")
	if len(got) != 1 || got[0].A != 0 || got[0].B != 1 || got[0].Territory != "DE" || got[0].From != "2027-01-01" {
		t.Fatalf("overlaps %+v, want mine[0] with theirs[1] in DE from 2027-01-01", got)
	}
}

// A release confirming window-overlap is delivered: the problem is a
// warning, marked confirmed.
func TestConfirmedWindowOverlapIsAWarning(t *testing.T) {
	dir := goodRelease(t)
	editTOML(t, dir, edits(prependTOML(`confirm = ["window-overlap"]`), appendTOML(`[[deals]]
territories = ["GB"]
commercial_model = "SubscriptionModel"
use_types = ["OnDemandStream"]
start_date = "2027-01-01"`)))
	rel, ps := testValidator(defaultRules).Validate(dir)
	if ps.Errors() != 0 {
		t.Fatalf("errors:\n%s", ps.Error())
	}
	p, ok := findProblem(ps, ruleWindowOverlap, "deals[3]", "both offer OnDemandStream")
	if !ok || p.Severity != Warning || !p.Confirmed || !strings.Contains(p.String(), "confirmed: sent anyway") {
		t.Fatalf("got %+v", ps)
	}
	if !rel.Confirms(RuleWindowOverlap) {
		t.Error("the release does not say it confirms window-overlap")
	}
}

// The rule's severity is overridable like the others: off for a DSP.
func TestWindowOverlapSeverityOverride(t *testing.T) {
	dir := goodRelease(t)
	editTOML(t, dir, appendTOML(`[[deals]]
territories = ["GB"]
commercial_model = "SubscriptionModel"
use_types = ["OnDemandStream"]`))
	rules := func(string) config.Rules { return config.Rules{Severity: map[string]string{RuleWindowOverlap: "off"}} }
	if _, ps := testValidator(rules).Validate(dir); len(ps) != 0 {
		t.Fatalf("with the rule off:\n%s", ps.Error())
	}
}

// A release dropped as an ERN message confirms through ferry-confirm.toml
// beside it, and the fix says so.
func TestConfirmBesideAnERNMessage(t *testing.T) {
	dir := goodRelease(t)
	editTOML(t, dir, appendTOML(`[[deals]]
territories = ["GB"]
commercial_model = "SubscriptionModel"
use_types = ["OnDemandStream"]
start_date = "2027-01-01"`))
	writeERN(t, dir, ernMessage(t, dir, ern.V43, nil))
	v := testValidator(defaultRules)
	_, ps := v.Validate(dir)
	p, ok := findProblem(ps, ruleWindowOverlap, "deals[3]", "both offer OnDemandStream")
	if !ok || p.Severity != Error || !strings.Contains(p.Fix, `put confirm = ["window-overlap"] into ferry-confirm.toml beside the message`) {
		t.Fatalf("got:\n%s", ps.Error())
	}
	writeTestFile(t, filepath.Join(dir, ConfirmFileName), `confirm = ["window-overlap"]`+"\n")
	rel, ps := v.Validate(dir)
	if ps.Errors() != 0 || !rel.Confirms(RuleWindowOverlap) || !rel.FromERN() {
		t.Fatalf("confirmed beside the message:\n%s", ps.Error())
	}
	writeTestFile(t, filepath.Join(dir, ConfirmFileName), `confirm = ["window-overlap"]`+"\nallow_reuse = true\n")
	if _, ps := v.Validate(dir); !strings.Contains(ps.Error(), `unknown key "allow_reuse" (it holds confirm only)`) {
		t.Fatalf("an unknown key in %s:\n%s", ConfirmFileName, ps.Error())
	}
}

// Each deal is reported once, paired with one deal started no later
// that it overlaps; deals of the same release are never compared across
// releases.
func TestWindowOverlapsEachDealOnce(t *testing.T) {
	deals := []ern.Deal{
		deal("GB", sub, "OnDemandStream", "2027-01-01", ""),
		deal("Worldwide", sub, "OnDemandStream", "2027-01-01", ""),
		deal("GB IE", sub, "OnDemandStream", "2027-02-01", ""),
	}
	got, _ := WindowOverlaps(deals, "")
	if len(got) != 2 || got[0].A != 0 || got[0].B != 1 || got[1].A != 0 || got[1].B != 2 {
		t.Fatalf("%+v", got)
	}
	cross, _ := DealsOverlap(deals[:2], "", deals[2:], "")
	if len(cross) != 1 || cross[0].B != 0 || cross[0].Territory != "GB" && cross[0].Territory != "GB, IE" {
		t.Fatalf("across releases: %+v", cross)
	}
}

// manyDealCases are releases of thousands of deals (a hostile
// release.toml holds 12,000): all the same, one a day with none
// overlapping, one per territory and offer (as DSP-style messages write
// them), and two countries' worth that each compare with all the other's.
func manyDealCases() []manyDealCase {
	codes := make([]string, 0, len(territoryCodes))
	for c := range territoryCodes {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var same, daily, perTerritory, apart []ern.Deal
	day := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 12_000 {
		same = append(same, deal("GB", sub, "OnDemandStream", "2027-01-01", ""))
		d := day.AddDate(0, 0, i).Format(time.DateOnly)
		daily = append(daily, deal("GB", sub, "OnDemandStream", d, d))
		apart = append(apart, deal([]string{"GB", "FR"}[i/6_000], sub, "OnDemandStream", "2027-01-01", ""))
	}
	for o := range 8 {
		for _, c := range codes[:250] {
			perTerritory = append(perTerritory, deal(c, []string{sub, ads, paid, "FreeOfChargeModel"}[o%4], []string{"OnDemandStream", "PermanentDownload"}[o/4], "2027-01-01", ""))
		}
	}
	return []manyDealCase{
		{"12000-identical", same, 11_999, true},
		{"12000-one-a-day", daily, 0, true},
		{"2000-one-per-territory", perTerritory, 0, true},
		// Each French deal would be compared with 6,000 British ones:
		// the check stops and says so.
		{"6000-GB-then-6000-FR", apart, 0, false},
	}
}

type manyDealCase struct {
	name     string
	deals    []ern.Deal
	overlaps int
	complete bool
}

// Thousands of deals are checked in bounded time (BenchmarkWindowOverlaps
// times it): the check completes, or stops after MaxOverlapComparisons
// and says so.
func TestWindowOverlapsManyDeals(t *testing.T) {
	for _, c := range manyDealCases() {
		t.Run(c.name, func(t *testing.T) {
			got, complete := WindowOverlaps(c.deals, "")
			if complete != c.complete || complete && len(got) != c.overlaps {
				t.Errorf("%d overlaps (complete %v), want %d (complete %v)", len(got), complete, c.overlaps, c.complete)
			}
		})
	}
}

// BenchmarkWindowOverlaps times rule window-overlap over the many-deal
// releases.
func BenchmarkWindowOverlaps(b *testing.B) {
	for _, c := range manyDealCases() {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				WindowOverlaps(c.deals, "")
			}
		})
	}
}

// The deals are checked as each DSP gets them (DealsFor), and the
// problem names where the deals are written.
func TestWindowOverlapPerDSPDeals(t *testing.T) {
	dir := goodRelease(t)
	editTOML(t, dir, edits(prependTOML(`deliver_to = ["dsp", "other"]`), appendTOML(`[[deals]]
dsp = ["dsp"]
territories = ["GB"]
commercial_model = "SubscriptionModel"
use_types = ["OnDemandStream"]
start_date = "2027-01-01"

[[deals]]
dsp = ["dsp"]
territories = ["GB", "IE"]
commercial_model = "SubscriptionModel"
use_types = ["OnDemandStream"]
start_date = "2027-02-01"
end_date = "2027-02-28"`)))
	_, ps := testValidator(defaultRules).Validate(dir)
	p, ok := findProblem(ps, ruleWindowOverlap, "deals[4]", "deals[3] and deals[4] both offer OnDemandStream under SubscriptionModel in GB from 2027-02-01 to 2027-02-28")
	if !ok || p.DSP != "dsp" || len(ps) != 1 {
		t.Fatalf("want one window-overlap problem for dsp only, got:\n%s", ps.Error())
	}
}

// DealPlace follows DealsFor: a preset's deals are named where the
// configuration writes them.
func TestDealPlaceOfPresetDeals(t *testing.T) {
	dir := goodRelease(t)
	editTOML(t, dir, edits(withoutDeals, prependTOML(`preset = "majors"`)))
	rel, ps := presetValidator(t).Validate(dir)
	if ps.Errors() > 0 {
		t.Fatalf("%s", ps.Error())
	}
	for _, c := range []struct{ dsp, want string }{{"dsp", "preset.majors.deals[1]"}, {"other", "preset.majors.deals[2]"}} {
		if n := len(rel.DealsFor(c.dsp)); n != 1 {
			t.Fatalf("%s gets %d deals", c.dsp, n)
		}
		if got := rel.DealPlace(c.dsp, 0); got != c.want {
			t.Errorf("%s's deal is at %q, want %q", c.dsp, got, c.want)
		}
	}
}
