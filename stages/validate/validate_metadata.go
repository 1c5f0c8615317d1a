package validate

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// parseDate reads a YYYY-MM-DD date. The error says what is wrong in
// words ("month out of range"), or shows the expected form.
func parseDate(s string) (time.Time, error) {
	if !datePattern.MatchString(s) {
		hint := ""
		if slashDate.MatchString(s) {
			hint = " (day and month order is ambiguous in that form)"
		}
		return time.Time{}, fmt.Errorf("%q is not a date written YYYY-MM-DD%s", s, hint)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		var pe *time.ParseError
		if errors.As(err, &pe) && pe.Message != "" {
			return time.Time{}, fmt.Errorf("%q is not a calendar date: %s", s, strings.TrimPrefix(pe.Message, ": "))
		}
		return time.Time{}, fmt.Errorf("%q is not a calendar date", s)
	}
	return t, nil
}

var (
	// languagePattern is the ERN 4.x LanguageAndScriptCode pattern.
	languagePattern = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z]+)?(-[a-zA-Z]{2}|-[0-9]{3})?(-[a-zA-Z][a-zA-Z0-9]{4}[a-zA-Z0-9]*)?$`)
	datePattern     = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	slashDate       = regexp.MustCompile(`^[0-9]{1,2}[/.][0-9]{1,2}[/.][0-9]{2,4}$`)
)

// date returns the date of a field, reporting a malformed one; ok is
// false when the field is empty or malformed.
func (c *checker) date(where string, d Date) (time.Time, bool) {
	if strings.TrimSpace(string(d)) == "" {
		return time.Time{}, false
	}
	t, err := parseDate(string(d))
	if err != nil {
		c.add(ruleDate, where, err.Error(), "write the date as YYYY-MM-DD, e.g. 2026-12-04")
		return time.Time{}, false
	}
	first, why := minDateYear, "no release or deal is dated before 1900"
	if where == "original_release_date" {
		first, why = minOriginalYear, "no recording was released before 1877"
	}
	if t.Year() < first {
		what := fmt.Sprintf("%s is before %d: %s, so the year is a typo", d, first, why)
		if t.Year() == 0 {
			what = fmt.Sprintf("%s: the year 0000 does not exist (ERN's xs:date has no year 0) and DSPs refuse it", d)
		}
		c.add(ruleDateYear, where, what, "write the year in full, e.g. 2026-12-04")
		return time.Time{}, false
	}
	return t, true
}

// The earliest years a date may have. Anything earlier is a typo (0026
// for 2026) that would reach the DSP as a real date; year 0000 is not
// even a valid xs:date.
const (
	minDateYear     = 1900
	minOriginalYear = 1877 // Edison's phonograph: the first recording
)

// checkDates checks every date's form and their order: the original
// release not after this one, each deal ending after it starts, each
// pre-order opening before the deal starts and before the release date.
func (c *checker) checkDates() {
	rf := c.rf
	release, hasRelease := c.date("release_date", rf.ReleaseDate)
	if orig, ok := c.date("original_release_date", rf.OriginalReleaseDate); ok && hasRelease && orig.After(release) {
		c.add(ruleDateOrder, "original_release_date",
			fmt.Sprintf("the original release date %s is after the release date %s", rf.OriginalReleaseDate, rf.ReleaseDate),
			"the original release date is when the recording first came out: it cannot be later than this release")
	}
	today := c.now.UTC().Truncate(24 * time.Hour)
	for _, ref := range rf.dealRefs() {
		where, d := ref.where, ref.entry
		start, hasStart := c.date(where+".start_date", d.StartDate)
		startText := string(d.StartDate)
		if !hasStart && strings.TrimSpace(string(d.StartDate)) == "" && hasRelease {
			start, hasStart, startText = release, true, string(rf.ReleaseDate)+" (the release date)"
		}
		end, hasEnd := c.date(where+".end_date", d.EndDate)
		pre, hasPre := c.date(where+".preorder_date", d.PreOrderDate)
		if hasStart && hasEnd && end.Before(start) {
			c.add(ruleDateOrder, where+".end_date", fmt.Sprintf("the deal ends on %s, before it starts on %s", d.EndDate, startText),
				"correct end_date, or leave it out for a deal without an end")
		}
		if hasEnd && end.Before(today) {
			c.add(ruleDealEnded, where+".end_date", fmt.Sprintf("the deal ended on %s: under it the release is not on sale", d.EndDate),
				"remove the deal or correct end_date; to withdraw the release, use action = \"takedown\"")
		}
		switch {
		case !hasPre:
		case hasStart && !pre.Before(start):
			c.add(ruleDateOrder, where+".preorder_date", fmt.Sprintf("pre-orders open on %s, not before the deal starts on %s", d.PreOrderDate, startText),
				"set preorder_date before the start date, or leave it out if there is no pre-order")
		case hasRelease && !pre.Before(release):
			c.add(ruleDateOrder, where+".preorder_date", fmt.Sprintf("pre-orders open on %s, not before the release date %s", d.PreOrderDate, rf.ReleaseDate),
				"set preorder_date before release_date, or leave it out if there is no pre-order")
		}
	}
}

// checkDeals checks territories, exclusions, commercial models and use
// types of every deal.
func (c *checker) checkDeals() {
	for _, ref := range c.rf.dealRefs() {
		where, d := ref.where, ref.entry
		c.checkPrice(where, d)
		// A list repeating territories is checked, and sent, once each.
		var dups int
		d.Territories, dups = unique(d.Territories)
		if dups > 0 {
			c.add(ruleTerritoryDuplicate, where+".territories", fmt.Sprintf("%d entries repeat a territory listed before them; each territory is sent once", dups),
				"list each territory once")
		}
		d.ExcludedTerritories, dups = unique(d.ExcludedTerritories)
		if dups > 0 {
			c.add(ruleTerritoryDuplicate, where+".excluded_territories", fmt.Sprintf("%d entries repeat a territory listed before them; each territory is sent once", dups),
				"list each territory once")
		}
		worldwide := slices.Contains(d.Territories, Worldwide)
		for _, t := range d.Territories {
			if t == Worldwide {
				continue
			}
			if msg := territoryProblem(t); msg != "" {
				c.add(ruleTerritory, where+".territories", msg, `use ISO 3166-1 two-letter country codes in capitals (GB, US, DE), or ["Worldwide"]`)
			}
		}
		if worldwide && len(d.Territories) > 1 {
			c.add(ruleTerritory, where+".territories", "Worldwide already covers every country, yet other territories are listed with it",
				`use ["Worldwide"] alone (with excluded_territories for countries left out), or list only countries`)
		}
		if len(d.ExcludedTerritories) > 0 && !(worldwide && len(d.Territories) == 1) {
			c.add(ruleExcludedTerritory, where+".excluded_territories", `excluded territories apply only to a worldwide deal, and territories is not ["Worldwide"]`,
				`set territories = ["Worldwide"], or drop excluded_territories and list the countries the deal covers`)
		}
		for _, t := range d.ExcludedTerritories {
			msg := territoryProblem(t)
			if t == Worldwide {
				msg = "Worldwide cannot be excluded"
			}
			if msg != "" {
				c.add(ruleExcludedTerritory, where+".excluded_territories", msg, "list ISO 3166-1 two-letter country codes in capitals (GB, US, DE)")
			}
		}
		if m := d.CommercialModel; m != "" && m != asPerContract && !slices.Contains(commercialModels, m) {
			c.add(ruleCommercialModel, where+".commercial_model", fmt.Sprintf("%q is not a DDEX commercial model", m),
				suggest(m, commercialModels, "use SubscriptionModel (streaming subscriptions), AdvertisementSupportedModel (free streaming with ads) or PayAsYouGoModel (downloads)"))
		}
		for _, u := range d.UseTypes {
			if u != asPerContract && !slices.Contains(useTypes, u) {
				c.add(ruleUseType, where+".use_types", fmt.Sprintf("%q is not a DDEX use type", u),
					suggest(u, useTypes, "use OnDemandStream, NonInteractiveStream, Stream or PermanentDownload"))
			}
		}
	}
}

// territoryProblem says what is wrong with a territory code, or "".
func territoryProblem(t string) string {
	switch up := strings.ToUpper(strings.TrimSpace(t)); {
	case territoryCodes[t]:
		return ""
	case withdrawnTerritories[up] != "":
		return fmt.Sprintf("%q: %s", t, withdrawnTerritories[up])
	case strings.EqualFold(t, Worldwide) || up == "WW" || up == "WORLD" || up == "ALL":
		return fmt.Sprintf("%q is not a territory: write Worldwide exactly so", t)
	case territoryCodes[up]:
		return fmt.Sprintf("%q must be written in capitals: %s", t, up)
	}
	return fmt.Sprintf("%q is not an ISO 3166-1 two-letter country code", t)
}

// suggest names the allowed value v was probably meant to be, or gives
// the general advice.
func suggest(v string, allowed []string, otherwise string) string {
	if s := closest(v, allowed); s != "" {
		return fmt.Sprintf("write %q (values are case-sensitive)", s)
	}
	return otherwise
}

// checkValues checks the enumerated fields: parental warnings, release
// type (and whether its track count fits it) and language.
func (c *checker) checkValues() {
	rf := c.rf
	parental := func(where, v string) {
		if v != "" && !slices.Contains(parentalWarnings, v) {
			c.add(ruleParentalWarning, where, fmt.Sprintf("%q is not a DDEX parental warning", v),
				suggest(v, parentalWarnings, "use Explicit, NotExplicit, ExplicitContentEdited (a clean version) or NoAdviceAvailable"))
		}
	}
	parental("parental_warning", rf.ParentalWarning)
	for i, t := range rf.Tracks {
		parental(fmt.Sprintf("tracks[%d].parental_warning", i+1), t.ParentalWarning)
	}
	if rf.Type != "" && !slices.Contains(releaseTypes, rf.Type) && !rf.unsupportedType() {
		c.add(ruleReleaseType, "type", fmt.Sprintf("%q is not a release type ferry delivers", rf.Type),
			suggest(rf.Type, releaseTypes, "use Album, Single, EP or Compilation, or leave type out (one track: Single, more: Album)"))
	}
	c.checkReleaseTypeFits()
	if l := rf.Language; l != "" {
		tag, err := language.Parse(l)
		switch {
		case err != nil:
			c.add(ruleLanguage, "language", fmt.Sprintf("%q is not a language code", l),
				`use a BCP 47 language tag: "en", "fr", "pt-BR"`)
		case !languagePattern.MatchString(l):
			c.add(ruleLanguage, "language", fmt.Sprintf("%q is not written as ERN language codes are", l),
				fmt.Sprintf("write %q", tag.String()))
		}
	}
}

// checkReleaseTypeFits warns where a DSP would class the release
// differently: a single has 1 to 3 tracks, an EP at most 6 and under 30
// minutes.
func (c *checker) checkReleaseTypeFits() {
	n := len(c.rf.Tracks)
	var total time.Duration
	for _, t := range c.rel.Model.Tracks {
		total += t.Duration
	}
	switch {
	case c.rf.Type == "Single" && n > 3:
		c.add(ruleReleaseTypeTracks, "type", fmt.Sprintf("a Single has 1 to 3 tracks; this one has %d", n),
			`use type = "EP" (4 to 6 tracks) or "Album"`)
	case c.rf.Type == "EP" && (n > 6 || total >= 30*time.Minute):
		c.add(ruleReleaseTypeTracks, "type", fmt.Sprintf("an EP has at most 6 tracks and lasts under 30 minutes; this one has %d tracks, %s", n, total.Round(time.Second)),
			`use type = "Album"`)
	}
}

// checkLines checks the P and C lines: text and year both given, the
// year not in the future.
func (c *checker) checkLines() {
	for _, l := range []struct {
		field string
		line  LineEntry
		what  string
	}{{"p_line", c.rf.PLine, "℗ (sound recording)"}, {"c_line", c.rf.CLine, "© (artwork and packaging)"}} {
		switch {
		case l.line.Year == 0 && strings.TrimSpace(l.line.Text) == "":
			c.add(ruleLine, l.field, fmt.Sprintf("the %s line is missing; DSPs show it and most require it", l.what),
				fmt.Sprintf(`set %s = { year = %d, text = "%d Label Name" }`, l.field, c.now.Year(), c.now.Year()))
		case l.line.Year == 0:
			c.add(ruleLine, l.field+".year", fmt.Sprintf("the %s line has no year", l.what), "set the year the rights date from")
		case strings.TrimSpace(l.line.Text) == "":
			c.add(ruleLine, l.field+".text", fmt.Sprintf("the %s line has no text", l.what), "set the text, e.g. \"2026 Example Records\"")
		case l.line.Year > c.now.Year()+1 || l.line.Year < 1877: // 1877: the first sound recording
			c.add(ruleLine, l.field+".year", fmt.Sprintf("%d is not a plausible year for the %s line", l.line.Year, l.what), "set the year the rights date from")
		}
	}
}

// checkNumbering checks disc and track numbers as the ERN will carry
// them (a number left out is the track's position on its disc): no two
// tracks at one place (an error), and numbers 1, 2, 3… on each disc,
// discs 1, 2…, in listing order (warnings: the DSP shows the order the
// numbers give, which may not be what was meant).
func (c *checker) checkNumbering() {
	type place struct{ disc, number int }
	seen := map[place]int{}
	byDisc := map[int][]int{}
	lastDisc, lastNumber := 0, 0
	for i, t := range c.rf.Tracks {
		where := fmt.Sprintf("tracks[%d]", i+1)
		if t.Disc < 0 || t.Number < 0 {
			c.add(ruleTrackNumber, where, fmt.Sprintf("disc %d, number %d: numbers start at 1", t.Disc, t.Number),
				"number discs and tracks from 1, or leave disc and number out to use the listing order")
			continue
		}
		disc := max(t.Disc, 1)
		number := t.Number
		if number == 0 {
			number = len(byDisc[disc]) + 1
		}
		p := place{disc, number}
		if j, dup := seen[p]; dup {
			c.add(ruleTrackNumber, where+".number", fmt.Sprintf("tracks[%d] is also disc %d, number %d", j, disc, number),
				"give each track its own number on its disc")
			continue
		}
		seen[p] = i + 1
		byDisc[disc] = append(byDisc[disc], number)
		if disc < lastDisc || (disc == lastDisc && number < lastNumber) {
			c.add(ruleTrackNumbering, where+".number", fmt.Sprintf("disc %d, number %d is listed after disc %d, number %d", disc, number, lastDisc, lastNumber),
				"list the [[tracks]] in release order")
		}
		lastDisc, lastNumber = disc, number
	}
	discs := make([]int, 0, len(byDisc))
	for d := range byDisc {
		discs = append(discs, d)
	}
	sort.Ints(discs)
	for i, d := range discs {
		if d != i+1 {
			c.add(ruleTrackNumbering, "tracks", fmt.Sprintf("discs are numbered %s; disc %d is missing", joinInts(discs), i+1),
				"number discs 1, 2, 3… without gaps")
			break
		}
	}
	for _, d := range discs {
		numbers := slices.Clone(byDisc[d])
		sort.Ints(numbers)
		for i, n := range numbers {
			if n != i+1 {
				c.add(ruleTrackNumbering, "tracks", fmt.Sprintf("disc %d has tracks numbered %s; number %d is missing", d, joinInts(numbers), i+1),
					"number the tracks of each disc 1, 2, 3… without gaps")
				break
			}
		}
	}
}

// checkInstantGratification warns about tracks marked for instant
// gratification in a release without a pre-order.
func (c *checker) checkInstantGratification() {
	anyIG := slices.ContainsFunc(c.rf.Tracks, func(t TrackEntry) bool { return t.InstantGratification })
	hasPre := slices.ContainsFunc(c.rf.dealRefs(), func(d dealRef) bool { return d.entry.PreOrderDate != "" })
	if anyIG && !hasPre {
		for i, t := range c.rf.Tracks {
			if t.InstantGratification {
				c.add(ruleInstantGratification, fmt.Sprintf("tracks[%d].instant_gratification", i+1),
					"the track is marked for instant gratification, but no deal has a preorder_date, so there is no pre-order to go with it",
					"add a preorder_date to the deal, or remove instant_gratification")
			}
		}
	}
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	if len(s) > 12 {
		s = append(s[:12], "…")
	}
	return strings.Join(s, ", ")
}

// unique returns list without repeats, in order, and how many entries
// were repeats. It takes time linear in the list.
func unique(list []string) ([]string, int) {
	seen := make(map[string]bool, len(list))
	out := make([]string, 0, len(list))
	for _, v := range list {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	if len(out) == len(list) {
		return list, 0
	}
	return out, len(list) - len(out)
}
