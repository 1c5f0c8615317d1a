package delivery

import (
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate"
)

// SkippedUnchanged words why a DSP gets nothing of rel: it has the
// release live exactly as it is. When the DSP is a destination because
// the release's preset names it, the preset is named too, e.g.
// "skipped: live and unchanged (preset majors)".
func SkippedUnchanged(rel *validate.Release, dsp string) string {
	why := "skipped: live and unchanged"
	if rel.FromPreset(dsp) {
		why += " (preset " + rel.Preset + ")"
	}
	return why
}

// FilePlan says what a delivery does with one of its files, and why; it
// is the record's type, since packaging keeps the plan in the item.
type FilePlan = record.PlannedFile

// Explain says, file by file, what the delivery d sends and why, given
// what the DSP already has (delivered: its last accepted delivery of the
// release, nil for none), by the rules Plan applied.
func Explain(delivered, d *record.Delivery) []FilePlan {
	had := map[string]string{}
	if delivered != nil {
		for _, f := range delivered.Files {
			if f.Role == record.RoleResource {
				had[f.Resource] = f.BLAKE3
			}
		}
	}
	changedPrimary, changedSecondary := false, false
	for _, f := range d.Files {
		if old, ok := had[f.Resource]; ok && f.Role == record.RoleResource && old != f.BLAKE3 {
			if isPrimary(f.Resource) {
				changedPrimary = true
			} else {
				changedSecondary = true
			}
		}
	}
	v, _ := ern.ParseVersion(d.ERNVersion)
	var out []FilePlan
	for _, f := range d.Files {
		p := FilePlan{Role: f.Role, Resource: f.Resource, Remote: f.Remote, Send: f.Provided}
		old, ok := had[f.Resource]
		switch {
		case f.Role == record.RoleMessage:
			p.Why = "the " + d.Kind + " message"
		case f.Role == record.RoleManifest:
			p.Why = "the batch manifest, last"
		case delivered == nil:
			p.Why = "first delivery to this DSP"
		case !ok:
			p.Why = "new: the DSP does not have it"
		case old != f.BLAKE3:
			p.Why = "changed since the DSP's last delivery"
		case !v.HasProvidedFlag():
			p.Why = "unchanged, sent again: ERN " + d.ERNVersion + " cannot say a file is not provided"
		case isPrimary(f.Resource) && changedPrimary:
			p.Why = "unchanged, sent again: another audio file changed (DDEX Release Profiles rule 12)"
		case !isPrimary(f.Resource) && changedSecondary:
			p.Why = "unchanged, sent again: another image changed (DDEX Release Profiles rule 12)"
		default:
			p.Why = "unchanged: described in the message, not sent"
		}
		out = append(out, p)
	}
	return out
}
