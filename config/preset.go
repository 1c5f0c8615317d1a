package config

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Preset is [preset.NAME]: a set of DSPs and the deals a release gets
// there, named once in the configuration and applied by a release.toml
// that says preset = "NAME". A release that names its own deliver_to or
// deals keeps them (see the README's "Presets" section for the rule).
type Preset struct {
	// DSPs are the DSPs a release with this preset goes to when its
	// release.toml has no deliver_to.
	DSPs []string `toml:"dsps"`
	// Deals are the deal templates: the release's deals when its
	// release.toml has none.
	Deals []DealTemplate `toml:"deals"`
}

// DealTemplate is one deal of a preset: a release.toml deal whose dates
// may be written relative to the release date.
type DealTemplate struct {
	// DSP, when not empty, makes the deal apply to these DSPs only,
	// replacing the preset's deals without dsp there.
	DSP                 []string `toml:"dsp"`
	Territories         []string `toml:"territories"`
	ExcludedTerritories []string `toml:"excluded_territories"`
	CommercialModel     string   `toml:"commercial_model"`
	UseTypes            []string `toml:"use_types"`
	// StartDate, EndDate and PreOrderDate are each a date ("2027-01-01")
	// or a day relative to the release date ("release", "release+30d",
	// "release-14d"). An empty StartDate is the release date.
	StartDate    DealDate `toml:"start_date"`
	EndDate      DealDate `toml:"end_date"`
	PreOrderDate DealDate `toml:"preorder_date"`
	// PriceTier is the deal's price code (DDEX PriceCode, PriceType in
	// ERN 3.8.2), e.g. "FRONT".
	PriceTier      string `toml:"price_tier"`
	WholesalePrice *Price `toml:"wholesale_price"`
}

// Price is a wholesale price per unit: wholesale_price = { amount =
// "0.70", currency = "EUR" }.
type Price struct {
	Amount   Decimal `toml:"amount"`
	Currency string  `toml:"currency"` // ISO 4217, e.g. "EUR"
}

// Decimal is an amount of money kept as written, so that "0.70" is sent
// as "0.70". It may be written as text or as a TOML number.
type Decimal string

// UnmarshalTOML accepts "0.70", 0.70 or 7.
func (d *Decimal) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		*d = Decimal(v)
	case int64:
		*d = Decimal(strconv.FormatInt(v, 10))
	case float64:
		*d = Decimal(strconv.FormatFloat(v, 'f', -1, 64))
	default:
		return fmt.Errorf("%v is not an amount; write e.g. \"0.70\"", v)
	}
	return nil
}

var decimalPattern = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,6})?$`)

// Check reports an amount that is not a plain non-negative decimal.
func (d Decimal) Check() error {
	if !decimalPattern.MatchString(string(d)) {
		return fmt.Errorf("%q is not an amount: write digits with an optional decimal point, e.g. \"0.70\"", string(d))
	}
	return nil
}

var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// Check reports a price without an amount or with a currency that is
// not an ISO 4217 code in form (three capital letters). Which codes
// exist is the validator's to say.
func (p *Price) Check() []string {
	var msgs []string
	if err := p.Amount.Check(); err != nil {
		msgs = append(msgs, "amount: "+err.Error())
	}
	if !currencyPattern.MatchString(p.Currency) {
		msgs = append(msgs, fmt.Sprintf("currency: %q is not an ISO 4217 currency code (three capital letters, e.g. \"EUR\")", p.Currency))
	}
	return msgs
}

// DealDate is a deal date in a preset: a calendar date, or a day
// relative to the release date ("release", "release+30d",
// "release-14d"). It may be written as text or as a TOML date.
type DealDate string

// UnmarshalTOML accepts a string or a TOML local date.
func (d *DealDate) UnmarshalTOML(v any) error {
	s, err := DateText(v, `, or "release+30d"`, ` or "release-14d"`)
	*d = DealDate(s)
	return err
}

// DateText reads a date key written as text (kept as written, so that a
// check can say what is wrong with it) or as a TOML local date (2026-12-04,
// unquoted). A date with a time, or any other value, is an error; each
// hint is added to its message's example.
func DateText(v any, dateTimeHint, otherHint string) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case time.Time:
		if v.Hour() != 0 || v.Minute() != 0 || v.Second() != 0 || v.Nanosecond() != 0 {
			return "", fmt.Errorf("%s is a date and time; write the date alone, e.g. 2026-12-04%s", v.Format(time.RFC3339), dateTimeHint)
		}
		return v.Format(time.DateOnly), nil
	}
	return "", fmt.Errorf("%v is not a date; write e.g. \"2026-12-04\"%s", v, otherHint)
}

var relativeDate = regexp.MustCompile(`^release(?:\s*([+-])\s*([0-9]{1,4})d)?$`)

// Resolve returns the date for a release dated release (YYYY-MM-DD): an
// absolute date as written, a relative one counted in days from it. An
// empty DealDate is empty.
func (d DealDate) Resolve(release string) (string, error) {
	s := strings.TrimSpace(string(d))
	if s == "" {
		return "", nil
	}
	m := relativeDate.FindStringSubmatch(s)
	if m == nil {
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return "", fmt.Errorf("%q is neither a date (YYYY-MM-DD) nor a day relative to the release date (\"release\", \"release+30d\", \"release-14d\")", s)
		}
		return s, nil
	}
	base, err := time.Parse(time.DateOnly, release)
	if err != nil {
		return "", fmt.Errorf("%q counts from the release date, and the release has no valid release_date", s)
	}
	days := 0
	if m[2] != "" {
		days, _ = strconv.Atoi(m[2])
		if m[1] == "-" {
			days = -days
		}
	}
	return base.AddDate(0, 0, days).Format(time.DateOnly), nil
}

// Check reports a DealDate that is neither form.
func (d DealDate) Check() error {
	_, err := d.Resolve("2000-01-01")
	return err
}

// PresetNames returns the configured preset names, sorted.
func (c *Config) PresetNames() []string { return sortedKeys(c.Preset) }

// presetIssues checks every preset: its DSPs configured, its deals
// complete, their dates, prices and dsp lists well formed.
func (c *Config) presetIssues() Issues {
	var is Issues
	bad := func(key, format string, args ...any) {
		is = append(is, Issue{Kind: BadValue, Line: c.lines.Line(key), Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	dsp := func(key, name string, among []string, what string) {
		if slices.Contains(among, name) {
			return
		}
		msg := fmt.Sprintf("%q is not %s (have %s)", name, what, strings.Join(among, ", "))
		if s := Nearest(name, among); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		bad(key, "%s", msg)
	}
	for _, name := range c.PresetNames() {
		p := c.Preset[name]
		key := Path("preset", name)
		if p == nil {
			continue
		}
		if len(p.DSPs) == 0 && len(p.Deals) == 0 {
			bad(key, "the preset names no DSP and no deal: set dsps = [\"…\"] and add [[%s.deals]]", key)
		}
		for _, d := range p.DSPs {
			dsp(key+".dsps", d, c.DSPNames(), "a configured DSP")
		}
		for i, t := range p.Deals {
			dk := Element(key+".deals", i+1)
			for _, d := range t.DSP {
				if len(p.DSPs) > 0 {
					dsp(dk+".dsp", d, p.DSPs, "one of the preset's dsps")
				} else {
					dsp(dk+".dsp", d, c.DSPNames(), "a configured DSP")
				}
			}
			if strings.TrimSpace(t.CommercialModel) == "" {
				bad(dk+".commercial_model", "missing: e.g. \"SubscriptionModel\"")
			}
			if len(t.UseTypes) == 0 {
				bad(dk+".use_types", "missing: e.g. [\"OnDemandStream\"]")
			}
			if len(t.Territories) == 0 {
				bad(dk+".territories", "missing: [\"Worldwide\"], or ISO country codes such as [\"GB\", \"IE\"]")
			}
			for _, f := range []struct {
				k string
				d DealDate
			}{{"start_date", t.StartDate}, {"end_date", t.EndDate}, {"preorder_date", t.PreOrderDate}} {
				if err := f.d.Check(); err != nil {
					bad(dk+"."+f.k, "%s", err.Error())
				}
			}
			if t.WholesalePrice != nil {
				for _, msg := range t.WholesalePrice.Check() {
					bad(dk+".wholesale_price", "%s", msg)
				}
			}
		}
	}
	return is
}
