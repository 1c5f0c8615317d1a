package ern

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/ferrydelivery/ferry/ern/erntest"
)

// TestVocabulariesMatchAVS checks every word ferry writes as is against
// the version's official allowed-value-set file: a word listed in a
// vocabulary but missing from the AVS would make invalid messages.
func TestVocabulariesMatchAVS(t *testing.T) {
	for _, v := range Versions {
		t.Run(string(v), func(t *testing.T) {
			f := featureTable[v]
			avs := loadAVS(t, v)
			pick := func(names ...string) string {
				for _, n := range names {
					if _, ok := avs[n]; ok {
						return n
					}
				}
				t.Fatalf("none of %v in the AVS", names)
				return ""
			}
			checks := []vocabCheck{
				{f.vocab.release, pick("ReleaseType_ERN4", "ReleaseType")},
				{f.vocab.commercial, pick("CommercialModelType_ERN", "CommercialModelType")},
				{f.vocab.use, pick("UseType_ERN", "UseType")},
				{f.vocab.hash, "HashSumAlgorithmType"},
				{f.vocab.audio, "AudioCodecType"},
				{f.vocab.image, "ImageCodecType"},
				{parentalWarnings, "ParentalWarningType"},
				{newSet("WAV", "AIFF"), "ContainerFormat"},
				{newSet("Worldwide"), "CurrentTerritoryCode"},
			}
			if f.ern3 {
				checks = append(checks,
					vocabCheck{f.vocab.display, "ArtistRole"},
					vocabCheck{f.vocab.contributor, "ResourceContributorRole"},
					vocabCheck{f.vocab.work, "MusicalWorkContributorRole"})
			} else {
				checks = append(checks,
					vocabCheck{f.vocab.display, "DisplayArtistRole"},
					vocabCheck{f.vocab.contributor, "ContributorRole"})
			}
			for _, c := range checks {
				allowed := avs[c.avs]
				if len(allowed) == 0 {
					t.Errorf("%s: AVS type %s has no values", v, c.avs)
				}
				for _, w := range sortedWords(c.words) {
					if !allowed[w] {
						t.Errorf("%s: %q is not in %s", v, w, c.avs)
					}
				}
			}
			for _, alias := range f.vocab.alias {
				if !avs["ContributorRole"][alias] {
					t.Errorf("%s: alias %q is not a ContributorRole", v, alias)
				}
			}
		})
	}
}

// vocabCheck pairs a vocabulary with the AVS type it must be part of.
type vocabCheck struct {
	words set
	avs   string
}

// TestAvsVersionIDMatchesAVSHeader checks the hard-coded AvsVersionId of
// 4.3 and later against the AVS file's own header.
func TestAvsVersionIDMatchesAVSHeader(t *testing.T) {
	for _, v := range Versions {
		f := featureTable[v]
		path := filepath.Join(filepath.Dir(erntest.Schema(t, v.Dir())), "allowed-value-sets.xsd")
		doc := etree.NewDocument()
		if err := doc.ReadFromFile(path); err != nil {
			// Before 4.3 the AVS file has another name and the schema no
			// AvsVersionId attribute.
			if f.avsVersionID != "" {
				t.Errorf("%s: %v", v, err)
			}
			continue
		}
		header := ""
		for _, d := range doc.Root().FindElements("./annotation/documentation") {
			if d.SelectAttrValue("source", "") == "AvsVersionId" {
				header = strings.TrimSpace(d.Text())
			}
		}
		if header == "" || header != f.avsVersionID {
			t.Errorf("%s: AvsVersionId %q in code, %q in %s", v, f.avsVersionID, header, path)
		}
	}
}

func sortedWords(s set) []string {
	out := make([]string, 0, len(s))
	for w := range s {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// loadAVS reads the version's allowed-value-set XSD: simple type name ->
// allowed values, unions resolved.
func loadAVS(t *testing.T, v Version) map[string]set {
	t.Helper()
	dir := filepath.Dir(erntest.Schema(t, v.Dir()))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var file string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".xsd") && e.Name() != "release-notification.xsd" {
			file = filepath.Join(dir, e.Name())
		}
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromFile(file); err != nil {
		t.Fatal(err)
	}
	types := map[string]*etree.Element{}
	for _, st := range doc.Root().SelectElements("simpleType") {
		types[st.SelectAttrValue("name", "")] = st
	}
	out := map[string]set{}
	var values func(name string) set
	values = func(name string) set {
		if s, ok := out[name]; ok {
			return s
		}
		s := set{}
		out[name] = s
		st := types[name]
		if st == nil {
			return s
		}
		for _, e := range st.FindElements(".//enumeration") {
			s[e.SelectAttrValue("value", "")] = true
		}
		if u := st.FindElement(".//union"); u != nil {
			for _, m := range strings.Fields(u.SelectAttrValue("memberTypes", "")) {
				_, local, _ := strings.Cut(m, ":")
				for w := range values(local) {
					s[w] = true
				}
			}
		}
		return s
	}
	for name := range types {
		values(name)
	}
	return out
}
