package validate

import (
	"fmt"
	"time"
)

// leadTime checks the release and pre-order dates against a DSP's lead
// time: DSPs need days to ingest and check a release, and a date they
// cannot make is missed silently on their side. Dates are days in UTC.
func (rel *Release) leadTime(dsp string, lead time.Duration, now time.Time) Problems {
	if lead <= 0 || !NeedsFiles(rel.Action) {
		return nil
	}
	var ps Problems
	check := func(where, date string) {
		d, err := time.Parse(time.DateOnly, date)
		if err != nil {
			return
		}
		left := d.Sub(now)
		switch {
		case left < 0:
			ps = append(ps, Problem{Rule: ruleLeadTime, Where: where,
				What: fmt.Sprintf("%s is past; this DSP asks for releases %s ahead: it cannot make that date", date, leadText(lead)),
				Fix:  "set a date at least " + leadText(lead) + " from now, or agree the date with the DSP"})
		case left < lead:
			ps = append(ps, Problem{Rule: ruleLeadTime, Where: where,
				What: fmt.Sprintf("%s is %s away; this DSP asks for releases %s ahead: it may not make that date", date, leadText(left.Round(time.Hour)), leadText(lead)),
				Fix:  "move the date to at least " + now.Add(lead).UTC().Format(time.DateOnly) + ", or agree it with the DSP"})
		}
	}
	check("release_date", rel.Model.ReleaseDate)
	for _, d := range rel.DealsFor(dsp) {
		if d.PreOrderDate != "" {
			check(preOrderWhere(rel.file, d.PreOrderDate), d.PreOrderDate)
		}
	}
	return ps
}

// preOrderWhere names the deal whose preorder_date is date, for a
// problem about it: "deals[2].preorder_date" or the preset deal's key.
func preOrderWhere(rf *ReleaseFile, date string) string {
	if rf != nil {
		for _, r := range rf.dealRefs() {
			if string(r.entry.PreOrderDate) == date {
				return r.where + ".preorder_date"
			}
		}
	}
	return "preorder_date"
}

// leadText writes a duration in days and hours ("3 days", "20h").
func leadText(d time.Duration) string {
	if d >= 48*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}
