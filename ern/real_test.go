package ern

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/ferrydelivery/ferry/ern/erntest"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Messages in the shapes other systems send, each built here: a fixture
// written by ferry, then edited into the shape, validated against the
// version's XSD, read, and written back.

// shape writes m in version v, lets edit change the document and returns
// it; the result must be schema-valid.
func shape(t *testing.T, v Version, m *Message, edit func(root *etree.Element)) []byte {
	t.Helper()
	doc, err := Marshal(v, m)
	if err != nil {
		t.Fatal(err)
	}
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err != nil {
		t.Fatal(err)
	}
	edit(d.Root())
	d.Indent(2)
	out, err := d.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	erntest.Validate(t, erntest.Schema(t, v.Dir()), out)
	return out
}

// readBack reads doc, checks it is version v and that writing the model
// back in v and reading it again gives the same model.
func readBack(t *testing.T, v Version, doc []byte) *Message {
	t.Helper()
	m, got, err := Read(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got != v {
		t.Fatalf("read as %s, want %s", got, v)
	}
	checkRewrite(t, v, m)
	return m
}

// checkRewrite writes m in v, reads it again and compares; Notes are
// what the model left out, so they are not expected back.
func checkRewrite(t *testing.T, v Version, m *Message) {
	t.Helper()
	doc, err := Marshal(v, m)
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := Read(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("read the rewritten message: %v", err)
	}
	// Notes are about the message read, not the model: a note on a part
	// the model keeps (an unsupported release type) comes back, one on a
	// part left out does not.
	want := *m
	wr := *m.Release
	wr.Notes = nil
	want.Release = &wr
	again.Release.Notes = nil
	if diff := diffValues("msg", reflect.ValueOf(&want).Elem(), reflect.ValueOf(again).Elem()); diff != "" {
		t.Errorf("written back in %s and read again, the model changed:\n%s", v, diff)
	}
}

func remove(e *etree.Element, path string) {
	for _, c := range e.FindElements(path) {
		c.Parent().RemoveChild(c)
	}
}

func TestReleaseDateFromDealsOrOriginal(t *testing.T) {
	for _, v := range []Version{V41, V43, V432} {
		t.Run(string(v)+"/deals", func(t *testing.T) {
			doc := shape(t, v, message("nodate", NewRelease, album12()), func(root *etree.Element) {
				remove(root, "./ReleaseList/Release/ReleaseDate")
				// Deals start per territory; the earliest is GB's.
				vp := root.FindElements("./DealList/ReleaseDeal/Deal/DealTerms/ValidityPeriod/StartDate")
				vp[2].SetText("2025-04-02")
			})
			m := readBack(t, v, doc)
			if r := m.Release; r.ReleaseDate != "2025-04-02" || r.ReleaseDateFrom != DateFromDeals {
				t.Errorf("release date %q from %q, want 2025-04-02 from deals", r.ReleaseDate, r.ReleaseDateFrom)
			}
		})
		t.Run(string(v)+"/original", func(t *testing.T) {
			doc := shape(t, v, message("nodate", NewRelease, album12()), func(root *etree.Element) {
				remove(root, "./ReleaseList/Release/ReleaseDate")
				remove(root, "./DealList")
			})
			m := readBack(t, v, doc)
			if r := m.Release; r.ReleaseDate != "2024-11-01" || r.ReleaseDateFrom != DateFromOriginal {
				t.Errorf("release date %q from %q, want 2024-11-01 from the original release date", r.ReleaseDate, r.ReleaseDateFrom)
			}
		})
	}
}

func TestNoDealListIsNotATakedown(t *testing.T) {
	for _, v := range []Version{V382, V41, V42, V43, V432} {
		t.Run(string(v), func(t *testing.T) {
			doc := shape(t, v, message("nodeals", NewRelease, album12()), func(root *etree.Element) {
				remove(root, "./DealList")
			})
			m := readBack(t, v, doc)
			if m.Kind != NewRelease || !m.Release.DealsOmitted || len(m.Release.Deals) != 0 {
				t.Errorf("kind %s, DealsOmitted %v, %d deals; want a new release with its deals omitted", m.Kind, m.Release.DealsOmitted, len(m.Release.Deals))
			}
		})
	}
}

func TestTakedownAndPurgeInEveryVersion(t *testing.T) {
	for _, v := range Versions {
		for _, k := range []Kind{Takedown, Purge} {
			t.Run(string(v)+"/"+k.String(), func(t *testing.T) {
				doc, err := Marshal(v, message("k", k, album12()))
				if err != nil {
					t.Fatal(err)
				}
				m, _, err := Read(bytes.NewReader(doc))
				if err != nil {
					t.Fatal(err)
				}
				if m.Kind != k {
					t.Errorf("read as %s, want %s", m.Kind, k)
				}
			})
		}
	}
}

func TestUntypedSubTitleIsTheVersion(t *testing.T) {
	for _, v := range []Version{V41, V43, V431} {
		t.Run(string(v), func(t *testing.T) {
			doc := shape(t, v, message("sub", NewRelease, album12()), func(root *etree.Element) {
				for _, st := range root.FindElements("./ResourceList/SoundRecording/DisplayTitle/SubTitle") {
					st.RemoveAttr("SubTitleType")
				}
			})
			m := readBack(t, v, doc)
			if got := m.Release.Tracks[3].VersionTitle; got != "Radio Edit" {
				t.Errorf("track 4 version %q, want Radio Edit", got)
			}
		})
	}
	t.Run("3.8.2 ReferenceTitle", func(t *testing.T) {
		doc := shape(t, V382, message("sub", NewRelease, album12()), func(root *etree.Element) {
			// Only the ReferenceTitle says "Radio Edit".
			remove(root, "./ResourceList/SoundRecording/SoundRecordingDetailsByTerritory/Title/SubTitle")
		})
		m := readBack(t, V382, doc)
		if got := m.Release.Tracks[3].VersionTitle; got != "Radio Edit" {
			t.Errorf("track 4 version %q, want Radio Edit", got)
		}
	})
	t.Run("3.8.2 other TitleType", func(t *testing.T) {
		doc := shape(t, V382, message("sub", NewRelease, album12()), func(root *etree.Element) {
			for _, sr := range root.FindElements("./ResourceList/SoundRecording") {
				remove(sr, "./ReferenceTitle/SubTitle")
				d := sr.SelectElement("SoundRecordingDetailsByTerritory")
				for _, ti := range d.SelectElements("Title") {
					if ti.SelectElement("SubTitle") != nil {
						formal := ti.Copy()
						formal.CreateAttr("TitleType", "FormalTitle")
						d.InsertChildAt(ti.Index()+1, formal)
						remove(ti, "./SubTitle")
					}
				}
			}
		})
		m := readBack(t, V382, doc)
		if got := m.Release.Tracks[3].VersionTitle; got != "Radio Edit" {
			t.Errorf("track 4 version %q, want Radio Edit", got)
		}
	})
}

func TestFilePathWithoutSeparator(t *testing.T) {
	doc := shape(t, V382, message("path", NewRelease, album12()), func(root *etree.Element) {
		for _, p := range root.FindElements("//FilePath") {
			p.SetText("resources")
		}
	})
	m := readBack(t, V382, doc)
	if got := m.Release.Tracks[0].Audio.File.URI(); got != "resources/5901234123457_01_01.wav" {
		t.Errorf("file %q, want resources/5901234123457_01_01.wav", got)
	}
}

func TestEncodings(t *testing.T) {
	r := single()
	r.Title = "Café Müller"
	base := shape(t, V43, message("enc", NewRelease, r), func(*etree.Element) {})
	declare := func(doc []byte, enc string) []byte {
		return bytes.Replace(doc, []byte(`encoding="UTF-8"`), []byte(`encoding="`+enc+`"`), 1)
	}
	utf16 := func(order unicode.Endianness, doc []byte) []byte {
		out, err := unicode.UTF16(order, unicode.UseBOM).NewEncoder().Bytes(declare(doc, "UTF-16"))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	latin1, err := charmap.ISO8859_1.NewEncoder().Bytes(declare(base, "ISO-8859-1"))
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string][]byte{
		"UTF-8 with BOM":  append([]byte{0xEF, 0xBB, 0xBF}, base...),
		"UTF-16LE BOM":    utf16(unicode.LittleEndian, base),
		"UTF-16BE BOM":    utf16(unicode.BigEndian, base),
		"ISO-8859-1":      latin1,
		"iso-8859-1 case": bytes.Replace(latin1, []byte("ISO-8859-1"), []byte("iso-8859-1"), 1),
	} {
		t.Run(name, func(t *testing.T) {
			erntest.Validate(t, erntest.Schema(t, V43.Dir()), doc)
			m := readBack(t, V43, doc)
			if m.Release.Title != "Café Müller" {
				t.Errorf("title %q, want Café Müller", m.Release.Title)
			}
		})
	}
	if _, _, err := Read(strings.NewReader(`<?xml version="1.0" encoding="x-unknown-42"?><a/>`)); err == nil || !strings.Contains(err.Error(), "x-unknown-42") {
		t.Errorf("unknown encoding: err = %v, want one naming it", err)
	}
	// Latin-1 bytes without a declaration are not UTF-8: an error.
	undeclared := bytes.Replace(latin1, []byte(` encoding="ISO-8859-1"`), nil, 1)
	if _, _, err := Read(bytes.NewReader(undeclared)); err == nil || !strings.Contains(err.Error(), "not UTF-8") {
		t.Errorf("undeclared Latin-1: err = %v, want not UTF-8", err)
	}
}

// TestOnlyTheMainReleaseBecomesTracks adds a recording that belongs to
// another release (a DJ-mix segment: no ISRC, no file, only in a
// TrackRelease of its own) and a video listed in the main release: the
// tracks stay the twelve, each left-out part has a note.
func TestOnlyTheMainReleaseBecomesTracks(t *testing.T) {
	for _, v := range []Version{V43, V432} {
		t.Run(string(v), func(t *testing.T) {
			doc := shape(t, v, message("outside", NewRelease, album12()), func(root *etree.Element) {
				rl := root.SelectElement("ResourceList")
				seg := rl.SelectElement("SoundRecording").Copy()
				seg.SelectElement("ResourceReference").SetText("A90")
				ed := seg.SelectElement("SoundRecordingEdition")
				remove(ed, "./TechnicalDetails")
				id := ed.SelectElement("ResourceId")
				remove(id, "./ISRC")
				add(id, "ProprietaryId", "mix-segment-1").CreateAttr("Namespace", "PADPIDA2014122301Q")
				seg.FindElement("./DisplayTitle/TitleText").SetText("Mix Segment")
				rl.InsertChildAt(rl.SelectElement("Image").Index(), seg)
				video := videoResource(seg)
				rl.InsertChildAt(rl.SelectElement("Image").Index(), video)
				rg := root.FindElement("./ReleaseList/Release/ResourceGroup")
				item := rg.SelectElement("ResourceGroupContentItem").Copy()
				item.SelectElement("SequenceNumber").SetText("13")
				item.SelectElement("ReleaseResourceReference").SetText("A91")
				rg.InsertChildAt(rg.SelectElement("LinkedReleaseResourceReference").Index(), item)
				tr := root.FindElement("./ReleaseList/TrackRelease").Copy()
				tr.SelectElement("ReleaseReference").SetText("R90")
				tr.SelectElement("ReleaseResourceReference").SetText("A90")
				tr.FindElement("./ReleaseId/ProprietaryId").SetText("mix-segment")
				root.SelectElement("ReleaseList").AddChild(tr)
			})
			m, _, err := Read(bytes.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			if n := len(m.Release.Tracks); n != 12 {
				t.Fatalf("%d tracks, want 12", n)
			}
			notes := fmtNotes(m.Release.Notes)
			for _, want := range []string{"SoundRecording[A90]", "Mix Segment", "no ISRC", "Video[A91]", "left out"} {
				if !strings.Contains(notes, want) {
					t.Errorf("notes do not mention %q:\n%s", want, notes)
				}
			}
			for _, n := range m.Release.Notes {
				if n.Unsupported {
					t.Errorf("an audio release with a video is deliverable, but %s", n)
				}
			}
			checkRewrite(t, v, m)
		})
	}
}

// videoResource builds a 4.3 Video from a sound recording's parts.
func videoResource(sr *etree.Element) *etree.Element {
	v := etree.NewElement("Video")
	add(v, "ResourceReference", "A91")
	add(v, "Type", "ShortFormMusicalWorkVideo")
	ed := v.CreateElement("VideoEdition")
	add(ed.CreateElement("ResourceId"), "ISRC", "GBEXA2590001")
	v.AddChild(sr.SelectElement("DisplayTitleText").Copy())
	v.AddChild(sr.SelectElement("DisplayTitle").Copy())
	v.FindElement("./DisplayTitle/TitleText").SetText("Official Video")
	v.AddChild(sr.SelectElement("DisplayArtistName").Copy())
	v.AddChild(sr.SelectElement("DisplayArtist").Copy())
	add(v, "Duration", "PT3M")
	add(v, "ParentalWarningType", "NotExplicit")
	return v
}

func fmtNotes(ns []Note) string {
	var b strings.Builder
	for _, n := range ns {
		b.WriteString(n.String() + "\n")
	}
	return b.String()
}

func TestUnsupportedReleaseTypes(t *testing.T) {
	for _, typ := range []string{"VideoAlbum", "RingtoneRelease", "LongFormMusicalWorkVideoRelease", "DigitalBoxSetRelease"} {
		t.Run(typ, func(t *testing.T) {
			doc := shape(t, V382, message("type", NewRelease, album12()), func(root *etree.Element) {
				root.FindElement("./ReleaseList/Release/ReleaseType").SetText(typ)
			})
			m := readBack(t, V382, doc)
			if len(m.Release.Notes) != 1 || !m.Release.Notes[0].Unsupported || !strings.Contains(m.Release.Notes[0].What, typ) {
				t.Errorf("notes %q, want one saying %s is unsupported", fmtNotes(m.Release.Notes), typ)
			}
		})
	}
}

func TestAsPerContractRead(t *testing.T) {
	for _, v := range []Version{V382, V41, V411} {
		t.Run(string(v), func(t *testing.T) {
			r := single()
			r.Deals[0].CommercialModel = "AsPerContract"
			r.Deals[0].UseTypes = []string{"AsPerContract"}
			doc := shape(t, v, message("apc", NewRelease, r), func(*etree.Element) {})
			if !bytes.Contains(doc, []byte(">AsPerContract<")) {
				t.Fatal("AsPerContract not written as a value of the list")
			}
			m := readBack(t, v, doc)
			if d := m.Release.Deals[0]; d.CommercialModel != "AsPerContract" || d.UseTypes[0] != "AsPerContract" {
				t.Errorf("deal %+v", d)
			}
		})
	}
}

// TestSamplesRoundTrip reads each official sample, writes it back in its
// own version and reads that: the model must be the same.
func TestSamplesRoundTrip(t *testing.T) {
	for _, path := range samples(t) {
		t.Run(path[strings.LastIndex(path, "ern/")+4:], func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m, v, err := Read(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			checkRewrite(t, v, m)
		})
	}
}

// TestBonusGroup: a group that lists the tracks and holds a nested bonus
// group is one disc, the bonus tracks after the others.
func TestBonusGroup(t *testing.T) {
	doc := shape(t, V43, message("bonus", NewRelease, album12()), func(root *etree.Element) {
		rl := root.SelectElement("ResourceList")
		bonus := rl.SelectElement("SoundRecording").Copy()
		bonus.SelectElement("ResourceReference").SetText("A90")
		bonus.FindElement("./SoundRecordingEdition/ResourceId/ISRC").SetText("GBEXA2500990")
		bonus.FindElement("./DisplayTitle/TitleText").SetText("Hidden Track")
		rl.InsertChildAt(rl.SelectElement("Image").Index(), bonus)
		rg := root.FindElement("./ReleaseList/Release/ResourceGroup")
		sub := etree.NewElement("ResourceGroup")
		sub.CreateAttr("ResourceGroupType", "Component")
		add(sub, "SequenceNumber", "2")
		item := rg.SelectElement("ResourceGroupContentItem").Copy()
		item.SelectElement("ReleaseResourceReference").SetText("A90")
		sub.AddChild(item)
		rg.InsertChildAt(rg.SelectElement("ResourceGroupContentItem").Index(), sub)
	})
	m := readBack(t, V43, doc)
	tr := m.Release.Tracks
	if len(tr) != 13 || tr[12].Title != "Hidden Track" || tr[12].Disc != 1 || tr[12].Number != 13 || tr[0].Number != 1 {
		t.Errorf("tracks: %d, last %q disc %d number %d", len(tr), tr[len(tr)-1].Title, tr[len(tr)-1].Disc, tr[len(tr)-1].Number)
	}
}

// TestEndedDealsAreNotATakedown: 4.x deals that offered something and
// have ended are read as they are, an update whose deals ended; only
// deals that offer nothing (ferry's takedown form) are a takedown.
func TestEndedDealsAreNotATakedown(t *testing.T) {
	r := album12()
	for i := range r.Deals {
		r.Deals[i].StartDate, r.Deals[i].EndDate = "2020-01-01", "2021-01-31"
	}
	for _, v := range []Version{V41, V43, V432} {
		t.Run(string(v), func(t *testing.T) {
			m := readBack(t, v, shape(t, v, message("ended", NewRelease, r), func(*etree.Element) {}))
			if m.Kind != NewRelease || len(m.Release.Deals) != len(r.Deals) {
				t.Errorf("kind %s, %d deals; want a new release with its %d ended deals", m.Kind, len(m.Release.Deals), len(r.Deals))
			}
		})
	}
}
