package ern

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
)

// What the main release is made of. Real messages carry more than one
// audio product: related releases, DJ mixes built from the tracks, bonus
// resource groups, videos. Only the main release's own sound recordings
// become tracks; everything else is named in a Note, so the validator can
// say what was left out.

// maxGroupDepth bounds how deep nested ResourceGroups are followed: real
// messages nest two or three levels (release, disc, side).
const maxGroupDepth = 8

// placed is a track's position as the release's ResourceGroup gives it.
type placed struct {
	ref          string
	disc, number int
}

// groupOrder walks the release's ResourceGroup: a group whose own items
// include a sound recording is one disc, its nested groups (bonus
// groups, sides) numbered on after in document order; otherwise a group
// with sub-groups is a multi-disc release (a sub-group's SequenceNumber
// is its disc, its own nested groups numbered on with it), and items
// beside the discs (a cover, a video) come as one more disc. Items also
// mark instant-gratification tracks. rs tells sound recordings.
func (rd *reader) groupOrder(rg *etree.Element, rs *resourceSet) []placed {
	if rg == nil {
		return nil
	}
	var out []placed
	subs := rg.SelectElements("ResourceGroup")
	if len(subs) == 0 || hasSoundItem(rg, rs) {
		return rd.discItems(rg, 1, nil)
	}
	last := 0
	for di, sub := range subs {
		d := atoi(text(sub, "SequenceNumber"))
		if d == 0 {
			d = di + 1
		}
		last = max(last, d)
		out = rd.discItems(sub, d, out)
	}
	return rd.discItems(&etree.Element{Child: itemsOnly(rg)}, last+1, out)
}

// hasSoundItem reports whether group g lists a sound recording itself.
func hasSoundItem(g *etree.Element, rs *resourceSet) bool {
	for _, item := range g.SelectElements("ResourceGroupContentItem") {
		if _, ok := rs.index[text(item, "ReleaseResourceReference")]; ok {
			return true
		}
	}
	return false
}

func itemsOnly(rg *etree.Element) []etree.Token {
	var out []etree.Token
	for _, c := range rg.SelectElements("ResourceGroupContentItem") {
		out = append(out, c)
	}
	return out
}

// discItems appends the items of group g, then those of its nested
// groups (the schemas put nested groups first, but they hold the bonus
// part), as disc d. Numbers are the items' SequenceNumbers when the disc
// has no nested groups, else positions.
func (rd *reader) discItems(g *etree.Element, d int, out []placed) []placed {
	nested := len(g.SelectElements("ResourceGroup")) > 0
	pos := 0
	var walk func(g *etree.Element, depth int)
	walk = func(g *etree.Element, depth int) {
		if depth > maxGroupDepth {
			return
		}
		for _, c := range g.SelectElements("ResourceGroupContentItem") {
			pos++
			ref := text(c, "ReleaseResourceReference")
			n := atoi(text(c, "SequenceNumber"))
			if n == 0 || nested {
				n = pos
			}
			if text(c, "IsInstantGratificationResource") == "true" {
				rd.instant[ref] = true
			}
			out = append(out, placed{ref: ref, disc: d, number: n})
		}
		for _, c := range g.SelectElements("ResourceGroup") {
			walk(c, depth+1)
		}
	}
	walk(g, 0)
	return out
}

// otherResource is a resource that is not a sound recording: its kind
// (Video, Text…) and title, for notes.
type otherResource struct {
	kind, title string
}

// placeTracks orders the sound recordings as the release's resource group
// lists them, with their disc and number. When there is a group,
// recordings it does not list are not the main release's and are left
// out with a note; without one (a minimal message), every recording is a
// track, in document order. refs[i] is the resource reference of
// tracks[i], by which deals and track releases point at it.
func (rd *reader) placeTracks(rs *resourceSet, order []placed) (tracks []Track, refs []string) {
	used := map[int]bool{}
	videos := 0
	for _, p := range order {
		if o, ok := rs.others[p.ref]; ok {
			if o.kind == "Video" {
				videos++
			}
			if o.kind != "Image" {
				rd.note(false, o.kind+"["+p.ref+"]", fmt.Sprintf("%s %q of the main release is left out: ferry delivers its sound recordings and cover only", o.kind, o.title))
			}
			continue
		}
		i, ok := rs.index[p.ref]
		if !ok || used[i] {
			continue
		}
		used[i] = true
		t := rs.tracks[i]
		t.Disc, t.Number = p.disc, p.number
		tracks = append(tracks, t)
		refs = append(refs, p.ref)
	}
	if len(order) > 0 {
		for i, t := range rs.tracks {
			if !used[i] {
				rd.note(false, "SoundRecording["+rs.refOf[i]+"]",
					fmt.Sprintf("sound recording %q (%s) is not in the main release's ResourceGroup%s: not a track", t.Title, describeTrack(t), rd.ownerOf(rs.refOf[i])))
			}
		}
		if len(tracks) == 0 && videos > 0 {
			rd.note(true, "ResourceGroup", fmt.Sprintf("the main release is made of %d video(s) and no sound recording: ferry delivers audio releases only", videos))
		}
		return tracks, refs
	}
	for i, t := range rs.tracks {
		if !used[i] {
			t.Disc, t.Number = 1, len(tracks)+1
			tracks = append(tracks, t)
			refs = append(refs, rs.refOf[i])
		}
	}
	return tracks, refs
}

// describeTrack names what identifies a recording left out.
func describeTrack(t Track) string {
	var parts []string
	if t.ISRC != "" {
		parts = append(parts, "ISRC "+t.ISRC)
	} else {
		parts = append(parts, "no ISRC")
	}
	if t.Audio.File.Name == "" {
		parts = append(parts, "no file")
	}
	return strings.Join(parts, ", ")
}

// ownerOf names the other release (a DJ mix, a related release) that
// lists resource ref, as " (it belongs to …)", or "".
func (rd *reader) ownerOf(ref string) string {
	rl := rd.root.SelectElement("ReleaseList")
	if rl == nil {
		return ""
	}
	for i, r := range rl.ChildElements() {
		if i == 0 && !rd.f.ern3 || r.Tag == "TrackRelease" || r.SelectAttrValue("IsMainRelease", "") == "true" {
			continue
		}
		if containsRef(r, ref, 0) {
			name, _, _ := rd.titles4(r)
			if rd.f.ern3 {
				name = text(r, "ReferenceTitle", "TitleText")
			}
			return fmt.Sprintf(" (it belongs to %s %s %q)", text(r, "ReleaseType"), text(r, "ReleaseReference"), name)
		}
	}
	return ""
}

// containsRef reports whether a release element lists resource ref.
func containsRef(e *etree.Element, ref string, depth int) bool {
	if depth > maxGroupDepth+4 {
		return false
	}
	for _, c := range e.ChildElements() {
		if (c.Tag == "ReleaseResourceReference" || c.Tag == "ResourceReference") && strings.TrimSpace(c.Text()) == ref {
			return true
		}
		if containsRef(c, ref, depth+1) {
			return true
		}
	}
	return false
}

// note records something left out of the model.
func (rd *reader) note(unsupported bool, where, what string) {
	rd.notes = append(rd.notes, Note{Unsupported: unsupported, Where: where, What: what})
}

// unsupportedTypes are release types ferry cannot deliver as an audio
// release, with the part that is unsupported.
var unsupportedTypes = map[string]string{
	"VideoAlbum":                         "a video album",
	"VideoSingle":                        "a video single",
	"ConcertVideo":                       "a concert video",
	"LiveEventVideo":                     "a live event video",
	"ShortFilmRelease":                   "a short film",
	"Documentary":                        "a documentary",
	"LongFormMusicalWorkVideoRelease":    "a long-form music video",
	"LongFormNonMusicalWorkVideoRelease": "a long-form video",
	"RingtoneRelease":                    "a ringtone",
	"RingbackToneRelease":                "a ringback tone",
	"AlertToneRelease":                   "an alert tone",
	"VideoMastertoneRelease":             "a video ringtone",
	"DigitalBoxSetRelease":               "a boxed set (releases inside a release)",
	"ClassicalDigitalBoxedSet":           "a classical boxed set (releases inside a release)",
	"MultimediaDigitalBoxedSet":          "a multimedia boxed set (releases inside a release)",
	"BoxedSet":                           "a boxed set (releases inside a release)",
}

// multimediaTypes are audio releases with other media in them: delivered
// as the audio release they hold.
var multimediaTypes = map[string]string{"MultimediaAlbum": "Album", "MultimediaSingle": "Single"}

// checkReleaseType notes a release type ferry does not deliver, and
// turns a multimedia album into the album it holds.
func (rd *reader) checkReleaseType(r *Release, where string) {
	if what, ok := unsupportedTypes[r.Type]; ok {
		rd.note(true, where+"/ReleaseType", fmt.Sprintf("%s is %s: ferry delivers audio releases (Album, Single, EP, Compilation) only", r.Type, what))
		return
	}
	if audio, ok := multimediaTypes[r.Type]; ok {
		rd.note(false, where+"/ReleaseType", fmt.Sprintf("%s is delivered as an %s of its sound recordings; its other media are left out", r.Type, audio))
		r.Type = audio
	}
}
