package ern

import "github.com/beevik/etree"

// Roles in the model are the words labels use (MainArtist, Producer, …).
// Each ERN version has its own allowed-value set for them; a role outside
// the version's set is written as UserDefined with the word in
// UserDefinedValue, which every version accepts and the reader turns back
// into the word.

// displayRoles4 are the DisplayArtistRole values every 4.x version allows
// (4.3 and later also allow Composer, which the model keeps as a
// contributor role instead).
var displayRoles4 = map[string]bool{"MainArtist": true, "FeaturedArtist": true, "Artist": true}

// contributorRoles41 are the ContributorRole values ferry writes as is
// in 4.1: common credits present in its AVS (TestRoleTablesMatchAVS
// checks them against the official files).
var contributorRoles41 = map[string]bool{
	"Arranger": true, "Composer": true, "ComposerLyricist": true, "Lyricist": true,
	"Artist": true, "Mixer": true, "MixingEngineer": true,
	"RecordingEngineer": true, "Remixer": true, "StudioProducer": true,
}

// contributorRoles4 are the same for 4.1.1 and later, which added
// Performer.
var contributorRoles4 = union(contributorRoles41, "Performer")

func union(m map[string]bool, more ...string) map[string]bool {
	out := make(map[string]bool, len(m)+len(more))
	for k := range m {
		out[k] = true
	}
	for _, k := range more {
		out[k] = true
	}
	return out
}

// roleAliases4 maps model words to their 4.x spelling; the reader maps
// them back.
var roleAliases4 = map[string]string{"Producer": "StudioProducer"}

// roleFrom4 maps a 4.x role value back to the model's word.
var roleFrom4 = map[string]string{"StudioProducer": "Producer"}

// displayRole is the DisplayArtistRole for a display artist: the first
// of its roles that the version allows, else MainArtist.
func (w *writer) displayRole(a Artist) string {
	for _, r := range a.Roles {
		if displayRoles4[r] {
			return r
		}
	}
	return mainArtist
}

// otherRoles are a display artist's roles beyond its DisplayArtistRole.
func (w *writer) otherRoles(a Artist) []string {
	display := w.displayRole(a)
	var out []string
	seen := false
	for _, r := range a.Roles {
		if r == display && !seen {
			seen = true
			continue
		}
		out = append(out, r)
	}
	return out
}

// contributorRole writes one role element (Role, ArtisticRole) in the
// version's spelling.
func (w *writer) contributorRole(parent *etree.Element, tag, role string) {
	e := parent.CreateElement(tag)
	if alias, ok := roleAliases4[role]; ok {
		role = alias
	}
	if w.f.roleValue {
		e = e.CreateElement("Value")
	}
	if w.f.contributorRoles[role] {
		e.SetText(role)
		return
	}
	e.SetText("UserDefined")
	e.CreateAttr("UserDefinedValue", role)
}
