package validate

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/ferrydelivery/ferry/stages/files"
)

// A release may confirm a conflict ferry holds it back for: confirm =
// ["window-overlap"] in release.toml says the user has seen it and wants
// the release sent anyway. The rule's errors then become warnings, noted
// in the item's history. Only rules listed in confirmable can be
// confirmed: the others are fixed by changing the release, or turned
// down for a DSP in the configuration.

// confirmable are the rules whose errors a release may confirm.
var confirmable = []string{ruleWindowOverlap}

// Confirmable reports whether a release may confirm rule's errors.
func Confirmable(rule string) bool { return slices.Contains(confirmable, rule) }

// Confirms reports whether the release confirms rule: its errors are
// then warnings.
func (r *Release) Confirms(rule string) bool {
	return Confirmable(rule) && slices.Contains(r.Confirm, rule)
}

// checkConfirm refuses a confirm entry that names no rule, or a rule
// that cannot be confirmed: a typo must not leave the release held with
// the user believing it confirmed.
func (c *checker) checkConfirm() {
	for i, name := range c.rf.Confirm {
		where := fmt.Sprintf("confirm[%d]", i+1)
		if c.rf.ern != nil {
			where = ConfirmFileName + ": " + where
		}
		_, known := checkByName[name]
		switch {
		case Confirmable(name):
		case known:
			c.add(ruleConfirm, where, fmt.Sprintf("rule %q cannot be confirmed: a release breaking it is fixed, not confirmed", name),
				"remove it from confirm; rules that can be confirmed: "+strings.Join(confirmable, ", "))
		default:
			c.add(ruleConfirm, where, fmt.Sprintf("no rule is named %q", name),
				"write the rule's name as ERRORS.txt gives it; rules that can be confirmed: "+strings.Join(confirmable, ", "))
		}
	}
}

// applyConfirm makes the errors of the rules the release confirms
// warnings, marked confirmed.
func (rel *Release) applyConfirm(ps Problems) Problems {
	for i, p := range ps {
		if p.Severity == Error && rel.Confirms(p.Rule) {
			ps[i].Severity, ps[i].Confirmed = Warning, true
		}
	}
	return ps
}

// ConfirmFileName holds confirm for a release dropped as an ERN message,
// which cannot carry it: confirm = ["window-overlap"], beside the
// message.
const ConfirmFileName = "ferry-confirm.toml"

// maxConfirmFileSize bounds ferry-confirm.toml: a list of rule names.
const maxConfirmFileSize = 16 << 10

// applyConfirmFile reads ferry-confirm.toml beside an ERN message into
// rf.Confirm; a missing file confirms nothing.
func applyConfirmFile(dir string, rf *ReleaseFile) *Problem {
	data, err := files.ReadRegular(filepath.Join(dir, ConfirmFileName), maxConfirmFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	bad := func(what string) *Problem {
		return &Problem{Severity: Error, Rule: ruleReleaseFile, Where: ConfirmFileName, What: what,
			Fix: `write it as one line: confirm = ["window-overlap"]`}
	}
	if err != nil {
		// The reason alone: the wrapped error names the server's path.
		reason := errors.Unwrap(err)
		if reason == nil {
			reason = err
		}
		return bad(fmt.Sprintf("%s cannot be read: %v", ConfirmFileName, reason))
	}
	var f struct {
		Confirm []string `toml:"confirm"`
	}
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return bad(fmt.Sprintf("%s: %v", ConfirmFileName, err))
	}
	if u := md.Undecoded(); len(u) > 0 {
		return bad(fmt.Sprintf("%s: unknown key %q (it holds confirm only)", ConfirmFileName, u[0].String()))
	}
	rf.Confirm = f.Confirm
	return nil
}

// FromERN reports whether the release was dropped as an ERN message
// (confirm then goes into ferry-confirm.toml beside it).
func (r *Release) FromERN() bool { return r.file != nil && r.file.ern != nil }

// ConfirmHow tells the user how to confirm rule for this release: the
// key in release.toml, or ferry-confirm.toml beside an ERN message.
func (r *Release) ConfirmHow(rule string) string {
	if r.FromERN() {
		return fmt.Sprintf("put confirm = [%q] into %s beside the message", rule, ConfirmFileName)
	}
	return fmt.Sprintf("add confirm = [%q] to %s", rule, ReleaseFileName)
}
