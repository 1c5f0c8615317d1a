package validate

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ferrydelivery/ferry/ern/ident"
	"github.com/ferrydelivery/ferry/stages/identifiers"
)

// checker runs the checks that do not depend on a DSP over one loaded
// release and collects their problems.
type checker struct {
	rel  *Release
	rf   *ReleaseFile
	now  time.Time
	dsps []string // configured DSPs; nil: deliver_to is not checked
	loc  *time.Location
	// autoReason says why "auto" values were given no code.
	autoReason string
	ps         Problems
}

func (c *checker) add(rule, where, what, fix string) {
	c.ps = append(c.ps, Problem{Severity: checkByName[rule].Severity, Rule: rule, Where: where, What: what, Fix: fix})
}

// run runs every check. A takedown needs only its identifiers: it
// withdraws a release the DSP already has.
func (c *checker) run() {
	c.checkAction()
	c.checkTakedownWindow()
	c.checkERN()
	c.checkDeliverTo()
	c.checkRequired()
	c.checkIdentifiers()
	c.checkText()
	c.checkConfirm()
	if !NeedsFiles(c.rf.Action) {
		return
	}
	if c.rel.folder != nil {
		for _, p := range c.rel.folder.deepFolders() {
			c.add(p.Rule, p.Where, p.What, p.Fix)
		}
		for _, p := range c.rel.folder.unreferencedAudio(c.rel.used) {
			c.add(p.Rule, p.Where, p.What, p.Fix)
		}
	}
	c.checkAudio()
	c.checkArtwork()
	c.checkDates()
	c.checkDeals()
	c.checkValues()
	c.checkLines()
	c.checkNumbering()
	c.checkInstantGratification()
	c.checkStyle()
}

func (c *checker) checkAction() {
	if c.rf.Action == ActionPurge {
		switch {
		case c.rf.ern != nil:
			c.add(ruleAction, "action", "the ERN message is a PurgeReleaseMessage: it asks to remove the release entirely. ferry reads it as a purge, never as a takedown; a purge cannot be undone, and ferry does not send one from a dropped message",
				"to purge, drop instead a folder of its own whose TOML release file holds upc, action = \"purge\" and confirm_purge = \"<the UPC>\"; to withdraw the release from sale, send the deals with an EndDate in the past")
		case c.rf.ConfirmPurge != c.rf.UPC || c.rf.UPC == "":
			c.add(rulePurgeConfirm, "confirm_purge", "a purge removes the release from the DSPs for good and cannot be undone, so it needs confirm_purge set to the release's UPC, typed",
				"if you mean it, add confirm_purge = \""+c.rf.UPC+"\"; to withdraw the release from sale for now, use action = \"takedown\" (restorable)")
		}
		return
	}
	actions := []string{ActionDeliver, ActionTakedown, ActionRestore, ActionRedeliver, ActionPurge}
	if !slices.Contains(actions, c.rf.Action) {
		fix := `use "deliver" (the default), "takedown", "restore", "redeliver" or "purge"`
		if s := closest(c.rf.Action, actions); s != "" {
			fix = fmt.Sprintf("write %q (in lower case)", s)
		}
		c.add(ruleAction, "action", fmt.Sprintf("%q is not an action; nothing else is checked until it is one", c.rf.Action), fix)
	}
}

func (c *checker) checkDeliverTo() {
	if c.dsps == nil {
		return
	}
	for _, name := range c.rf.DeliverTo {
		if !slices.Contains(c.dsps, name) {
			have := "none"
			if len(c.dsps) > 0 {
				have = strings.Join(c.dsps, ", ")
			}
			c.add(ruleDeliverTo, "deliver_to", fmt.Sprintf("%q is not a DSP in ferry's configuration (configured: %s)", name, have),
				"use the DSP names of the configuration, or ask whoever runs ferry to add this DSP")
		}
	}
}

// checkRequired reports every empty required field. A takedown needs
// only the UPC.
func (c *checker) checkRequired() {
	rf := c.rf
	need := func(field string, value string) {
		if strings.TrimSpace(value) == "" {
			c.add(ruleRequired, field, field+" is missing", "set "+field+" in release.toml")
		}
	}
	need("upc", rf.UPC)
	if !NeedsFiles(rf.Action) {
		return
	}
	need("title", rf.Title)
	if strings.TrimSpace(rf.DisplayArtist) == "" && len(rf.Artists) == 0 {
		c.add(ruleRequired, "display_artist", "the release has no artist",
			`set display_artist, or add an [[artists]] table (name = "…", roles = ["MainArtist"])`)
	}
	need("label", rf.Label)
	need("release_date", string(rf.ReleaseDate))
	need("genre", rf.Genre)
	need("cover", rf.Cover)
	if len(rf.Tracks) == 0 {
		c.add(ruleRequired, "tracks", "the release has no tracks", "add a [[tracks]] table per track (isrc, title, file)")
	}
	if len(rf.dealRefs()) == 0 && rf.dealsOmitted() {
		c.add(ruleRequired, "deals", "the ERN message has no DealList (deals sent separately): ferry never reads that as a takedown, and its configuration has no default deals to deliver the release with",
			"drop the message with its DealList (the deals for this release), or a release.toml with [[deals]]")
	} else if len(rf.dealRefs()) == 0 && strings.TrimSpace(rf.Preset) != "" && rf.preset == nil {
		c.add(ruleRequired, "deals", fmt.Sprintf("the release has no deals of its own, and its preset %q was not applied: it is in ferry's configuration, and none was given", strings.TrimSpace(rf.Preset)),
			"validate with -config FILE (the daemon's configuration), or add [[deals]] tables")
	} else if len(rf.dealRefs()) == 0 {
		c.add(ruleRequired, "deals", "the release has no deals, so no DSP may sell or stream it",
			`add a [[deals]] table (territories = ["Worldwide"], commercial_model, use_types, start_date)`)
	}
	artists := func(where string, list []ArtistEntry) {
		for i, a := range list {
			need(fmt.Sprintf("%s[%d].name", where, i+1), a.Name)
		}
	}
	artists("artists", rf.Artists)
	for i, t := range rf.Tracks {
		where := fmt.Sprintf("tracks[%d]", i+1)
		need(where+".isrc", t.ISRC)
		need(where+".title", t.Title)
		need(where+".file", t.File)
		artists(where+".artists", t.Artists)
		artists(where+".contributors", t.Contributors)
	}
	for i, d := range rf.Deals {
		where := fmt.Sprintf("deals[%d]", i+1)
		need(where+".commercial_model", d.CommercialModel)
		if len(d.UseTypes) == 0 {
			need(where+".use_types", "")
		}
		if len(d.Territories) == 0 {
			c.add(ruleRequired, where+".territories", where+".territories is missing",
				`set territories = ["Worldwide"], or list ISO country codes such as ["GB", "IE"]`)
		}
	}
}

// checkIdentifiers checks the UPC, GRid, ISRCs (each valid, none twice)
// and every artist's and contributor's ISNI.
func (c *checker) checkIdentifiers() {
	rf := c.rf
	c.checkAuto()
	if strings.TrimSpace(rf.UPC) != "" && !identifiers.IsAuto(rf.UPC) {
		if err := ident.CheckUPC(rf.UPC); err != nil {
			c.add(ruleUPC, "upc", identProblem(err), "copy the UPC/EAN exactly as issued: 12 digits (UPC-A), 13 (EAN-13) or 14 (GTIN-14); a wrong check digit usually means a typo")
		}
	}
	if strings.TrimSpace(rf.GRid) != "" && !identifiers.IsAuto(rf.GRid) {
		if err := ident.CheckGRid(rf.GRid); err != nil {
			c.add(ruleGRid, "grid", identProblem(err), "copy the GRid exactly as issued (18 characters starting A1), or leave grid out")
		}
	}
	first := map[string]int{}
	for i, t := range rf.Tracks {
		if strings.TrimSpace(t.ISRC) == "" || identifiers.IsAuto(t.ISRC) {
			continue
		}
		where := fmt.Sprintf("tracks[%d].isrc", i+1)
		if err := ident.CheckISRC(t.ISRC); err != nil {
			c.add(ruleISRC, where, identProblem(err), "copy the ISRC exactly as issued: 12 characters like GB-EXR-26-00001 (country, registrant, year, number)")
			continue
		}
		n := ident.NormalizeISRC(t.ISRC)
		if j, dup := first[n]; dup {
			c.add(ruleISRCDuplicate, where, fmt.Sprintf("ISRC %s is also the ISRC of tracks[%d]", n, j),
				"each recording needs its own ISRC: check which track has the wrong one")
			continue
		}
		first[n] = i + 1
	}
	isni := func(where string, list []ArtistEntry) {
		for i, a := range list {
			if strings.TrimSpace(a.ISNI) == "" {
				continue
			}
			if err := ident.CheckISNI(a.ISNI); err != nil {
				c.add(ruleISNI, fmt.Sprintf("%s[%d].isni", where, i+1), identProblem(err)+fmt.Sprintf(" (artist %q)", a.Name),
					"copy the ISNI from isni.org (16 characters, the last may be X), or leave isni out")
			}
		}
	}
	isni("artists", rf.Artists)
	for i, t := range rf.Tracks {
		isni(fmt.Sprintf("tracks[%d].artists", i+1), t.Artists)
		isni(fmt.Sprintf("tracks[%d].contributors", i+1), t.Contributors)
	}
}

// identProblem words an identifier error; ident errors already name the
// identifier and its value.
func identProblem(err error) string {
	var ie *ident.Error
	if errors.As(err, &ie) {
		return ie.Error()
	}
	return err.Error()
}
