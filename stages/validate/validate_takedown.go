package validate

import (
	"fmt"
	"strings"
	"time"
)

// takedownLayouts are the forms takedown_at may take, read in the
// configuration's [lifecycle] timezone: a date alone means the start of
// that day.
var takedownLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", time.DateOnly}

// TakedownWindow is when and where a takedown applies: at (zero: now),
// in territories (none: everywhere), read with takedown_at in loc.
func (rel *Release) TakedownWindow(loc *time.Location) (at time.Time, territories []string, err error) {
	if loc == nil {
		loc = time.UTC
	}
	if s := strings.TrimSpace(rel.file.TakedownAt); s != "" {
		for _, layout := range takedownLayouts {
			if at, err = time.ParseInLocation(layout, s, loc); err == nil {
				break
			}
		}
		if err != nil {
			return time.Time{}, nil, fmt.Errorf("%q is not a date and time ferry reads", s)
		}
	}
	for _, t := range rel.file.Territories {
		if territoryProblem(t) == "" {
			territories = append(territories, t)
		}
	}
	return at, territories, nil
}

// checkTakedownWindow checks takedown_at and territories, which only a
// takedown takes.
func (c *checker) checkTakedownWindow() {
	rf := c.rf
	if rf.TakedownAt == "" && len(rf.Territories) == 0 {
		return
	}
	if rf.Action != ActionTakedown {
		c.add(ruleAction, "takedown_at", "takedown_at and territories belong to a takedown; this folder's action is "+fmt.Sprintf("%q", rf.Action),
			`set action = "takedown", or remove takedown_at and territories`)
		return
	}
	loc := c.loc
	if loc == nil {
		loc = time.UTC
	}
	if _, _, err := c.rel.TakedownWindow(loc); err != nil {
		c.add(ruleDate, "takedown_at", err.Error(),
			`write it as "2027-01-31T23:59" (in the configuration's [lifecycle] timezone, `+loc.String()+`) or "2027-01-31"`)
	}
	for i, t := range rf.Territories {
		if p := territoryProblem(t); p != "" {
			c.add(ruleTerritory, fmt.Sprintf("territories[%d]", i+1), p, "use ISO 3166-1 alpha-2 codes, e.g. \"DE\"")
		}
	}
}
