package ern

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/ferrydelivery/ferry/ern/erntest"
)

// TestRoundTrip writes every fixture in every version, reads it back and
// compares with the original, minus exactly what the version cannot say
// (lossInVersion).
func TestRoundTrip(t *testing.T) {
	for _, v := range Versions {
		for _, fx := range fixtures() {
			t.Run(string(v)+"/"+fx.name, func(t *testing.T) {
				doc, err := Marshal(v, fx.msg)
				if err != nil {
					t.Fatal(err)
				}
				got, gotV, err := Read(bytes.NewReader(doc))
				if err != nil {
					t.Fatal(err)
				}
				if gotV != v {
					t.Errorf("Read says version %s, wrote %s", gotV, v)
				}
				want := lossInVersion(v, fx.msg)
				if diff := diffValues("msg", reflect.ValueOf(want).Elem(), reflect.ValueOf(got).Elem()); diff != "" {
					t.Errorf("round trip through %s changed the message:\n%s", v, diff)
				}
				// Losses names a loss exactly when there is one.
				lost := diffValues("msg", reflect.ValueOf(fx.msg).Elem(), reflect.ValueOf(want).Elem()) != ""
				if losses := Losses(v, fx.msg); lost != (len(losses) > 0) && fx.msg.Kind != Purge {
					t.Errorf("the round trip loses something: %v; Losses says %q", lost, losses)
				}
			})
		}
	}
}

// lossInVersion is m as it comes back from version v: the documented
// limits of each version applied to a copy.
func lossInVersion(v Version, m *Message) *Message {
	f := featureTable[v]
	out := *m
	r := cloneRelease(m.Release)
	out.Release = r
	if m.Kind == Purge {
		// A purge names the release: identifiers, title, artists.
		p := &Release{UPC: r.UPC, GRid: r.GRid, Title: r.Title, VersionTitle: r.VersionTitle, Language: r.Language}
		for _, a := range r.Artists {
			p.Artists = append(p.Artists, Artist{Name: a.Name, ISNI: a.ISNI, IPI: a.IPI})
		}
		p.DisplayArtist = joinNames(p.Artists)
		out.Release = p
		return &out
	}
	if m.Kind == Takedown {
		// A takedown withdraws every deal; none are read back.
		r.Deals = nil
	}
	if r.Type == "EP" && !f.vocab.release["EP"] {
		r.Type = "Album"
	}
	files := []*File{}
	for i := range r.Tracks {
		files = append(files, &r.Tracks[i].Audio.File)
	}
	if r.Cover != nil {
		files = append(files, &r.Cover.File)
	}
	for _, file := range files {
		if !f.providedFlag {
			// Without IsProvidedInDelivery a file listed is a file sent.
			file.Provided = file.Name != ""
		}
		if f.ern3 {
			file.Size = 0 // 3.8.2 has no FileSize
		}
	}
	if m.Kind == Update && !f.ern3 && !f.providedFlag {
		// 4.1 and 4.1.1 cannot tell an update from a new release.
		out.Kind = NewRelease
	}
	return &out
}

func cloneRelease(r *Release) *Release {
	c := *r
	c.Artists = slicesClone(r.Artists)
	c.Tracks = slicesClone(r.Tracks)
	for i := range c.Tracks {
		c.Tracks[i].Artists = slicesClone(r.Tracks[i].Artists)
		c.Tracks[i].Contributors = slicesClone(r.Tracks[i].Contributors)
	}
	c.Deals = slicesClone(r.Deals)
	if r.Cover != nil {
		cv := *r.Cover
		c.Cover = &cv
	}
	return &c
}

func slicesClone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append([]T(nil), s...)
}

// diffValues lists the fields where got differs from want, one per line.
func diffValues(path string, want, got reflect.Value) string {
	if want.Kind() != got.Kind() {
		return fmt.Sprintf("%s: kind %s != %s\n", path, want.Kind(), got.Kind())
	}
	switch want.Kind() {
	case reflect.Pointer:
		if want.IsNil() || got.IsNil() {
			if want.IsNil() != got.IsNil() {
				return fmt.Sprintf("%s: want nil=%v, got nil=%v\n", path, want.IsNil(), got.IsNil())
			}
			return ""
		}
		return diffValues(path, want.Elem(), got.Elem())
	case reflect.Struct:
		if wt, ok := want.Interface().(time.Time); ok {
			if !wt.Equal(got.Interface().(time.Time)) {
				return fmt.Sprintf("%s: want %v, got %v\n", path, want.Interface(), got.Interface())
			}
			return ""
		}
		var b strings.Builder
		for i := 0; i < want.NumField(); i++ {
			b.WriteString(diffValues(path+"."+want.Type().Field(i).Name, want.Field(i), got.Field(i)))
		}
		return b.String()
	case reflect.Slice:
		if want.Len() != got.Len() {
			return fmt.Sprintf("%s: want %d items %v, got %d items %v\n", path, want.Len(), want.Interface(), got.Len(), got.Interface())
		}
		var b strings.Builder
		for i := 0; i < want.Len(); i++ {
			b.WriteString(diffValues(fmt.Sprintf("%s[%d]", path, i), want.Index(i), got.Index(i)))
		}
		return b.String()
	default:
		if !reflect.DeepEqual(want.Interface(), got.Interface()) {
			return fmt.Sprintf("%s: want %#v, got %#v\n", path, want.Interface(), got.Interface())
		}
	}
	return ""
}

// samples lists the official DDEX sample messages.
func samples(t *testing.T) []string {
	t.Helper()
	dir := erntest.Path(t, "samples/ern")
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples under %s: %v", dir, err)
	}
	return files
}

// TestReadOfficialSamples reads every official sample and checks what it
// holds against facts taken from the sample files by hand.
func TestReadOfficialSamples(t *testing.T) {
	type facts struct {
		version        Version
		upc, grid      string
		title, artist  string
		label, genre   string
		tracks         int
		firstISRC      string
		firstDuration  string
		deals          int // -1: not checked
		cover          bool
		firstAudioFile string
	}
	want := map[string]facts{
		"382/audio-album.xml": {V382, "", "A1UCASE0000000401X", "A Monkey Claw in a Velvet Glove", "Monkey Claw", "Iron Crown Music", "Metal", 6, "CASE00000001", "PT13M31S", 0, true, "A1UCASE0000000401X_01_01.wav"},
		// Deals: AsPerContract, Subscription and AdvertisementSupported
		// streams (one DealTerms), PayAsYouGo and AsPerContract downloads.
		"411/audio-album.xml": {V411, "00094631432057", "", "Yume no Hajmari", "Saeko Shu", "EMI MUSIC JAPAN INC.", "J-Pop", 21, "JPTO09404900", "PT2M28S", 5, true, "0094631432057_01_001.wav"},
		// One deal per commercial model: the sample's first DealTerms has two.
		"43/audio-album.xml": {V43, "00094631432057", "", "Yume no Hajmari", "Saeko Shu", "EMI MUSIC JAPAN INC.", "J-Pop", 21, "JPTO09404900", "PT2M28S", 3, true, "0094631432057_01_001.wav"},
		// The sample repeats three deals per territory; they fold into three.
		"43/audio-single.xml": {V43, "", "A10302B0003989564F", "I Love You", "RIOPY", "Warner Classics", "Classical", 1, "GBAYC1700598", "PT4M23.583S", 3, true, "190295810726_00001_LL.flac"},
	}
	for _, path := range samples(t) {
		name := filepath.ToSlash(filepath.Join(filepath.Base(filepath.Dir(path)), filepath.Base(path)))
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			m, v, err := Read(f)
			if err != nil {
				t.Fatal(err)
			}
			w, ok := want[name]
			if !ok {
				t.Logf("no facts recorded for %s; read %d tracks", name, len(m.Release.Tracks))
				return
			}
			r := m.Release
			check := func(what, got, want string) {
				t.Helper()
				if want != "" && got != want {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
			check("version", string(v), string(w.version))
			check("UPC", r.UPC, w.upc)
			check("GRid", r.GRid, w.grid)
			check("Title", r.Title, w.title)
			check("DisplayArtist", r.DisplayArtist, w.artist)
			check("Label", r.Label, w.label)
			check("Genre", r.Genre, w.genre)
			if w.tracks != 0 && len(r.Tracks) != w.tracks {
				t.Fatalf("%d tracks, want %d", len(r.Tracks), w.tracks)
			}
			if len(r.Tracks) == 0 {
				t.Fatal("no tracks read")
			}
			check("Tracks[0].ISRC", r.Tracks[0].ISRC, w.firstISRC)
			if w.firstDuration != "" {
				d, _ := parseDuration(w.firstDuration)
				if r.Tracks[0].Duration != d {
					t.Errorf("Tracks[0].Duration = %v, want %v", r.Tracks[0].Duration, d)
				}
			}
			check("Tracks[0].Audio.File.Name", r.Tracks[0].Audio.File.Name, w.firstAudioFile)
			if w.deals >= 0 && len(r.Deals) != w.deals {
				t.Errorf("%d deals, want %d: %+v", len(r.Deals), w.deals, r.Deals)
			}
			if w.cover && r.Cover == nil {
				t.Error("no cover read")
			}
		})
	}
}

// TestSamplesRewriteInEveryVersion reads each official sample and writes
// it in every version, as ferry does when a release folder carries an
// ERN instead of release.toml; each result must validate. The header is
// the delivery's own (sender and recipient from config), as the package
// stage sets it: a sample's header (e.g. 3.8.2's DPID_OF_THE_SENDER) is
// not what ferry sends.
func TestSamplesRewriteInEveryVersion(t *testing.T) {
	type read struct {
		name string
		from Version
		msg  *Message
	}
	var all []read
	for _, path := range samples(t) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m, from, err := Read(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		m.Header = message("rewrite", m.Kind, nil).Header
		all = append(all, read{filepath.Base(filepath.Dir(path)) + "-" + filepath.Base(path), from, m})
	}
	for _, v := range Versions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			docs := map[string][]byte{}
			for _, r := range all {
				if r.from == v {
					continue
				}
				doc, err := Marshal(v, r.msg)
				if err != nil {
					t.Fatalf("%s: %v", r.name, err)
				}
				docs[r.name] = doc
			}
			erntest.ValidateAll(t, erntest.Schema(t, v.Dir()), docs)
		})
	}
}

// TestFrontCover checks which image the reader takes the cover from: the
// first marked FrontCoverImage, else the first image, in both the 4.x
// (Type) and the 3.8.2 (ImageType) spelling.
func TestFrontCover(t *testing.T) {
	tests := []struct {
		name    string
		written string   // the tag the images carry their type in
		asked   string   // the tag the reader asks for
		types   []string // one image per entry, its type
		want    int      // index of the chosen image, -1 for none
	}{
		{"no images", "Type", "Type", nil, -1},
		{"front first", "Type", "Type", []string{"FrontCoverImage", "BackCoverImage"}, 0},
		{"front later", "Type", "Type", []string{"BackCoverImage", "Photograph", "FrontCoverImage"}, 2},
		{"two fronts", "Type", "Type", []string{"BackCoverImage", "FrontCoverImage", "FrontCoverImage"}, 1},
		{"no front", "Type", "Type", []string{"BackCoverImage", "Photograph"}, 0},
		{"3.8.2 spelling", "ImageType", "ImageType", []string{"Photograph", "FrontCoverImage"}, 1},
		{"other version's tag ignored", "Type", "ImageType", []string{"Photograph", "FrontCoverImage"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var images []*etree.Element
			for _, ty := range tc.types {
				im := etree.NewElement("Image")
				im.CreateElement(tc.written).SetText(ty)
				images = append(images, im)
			}
			got := frontCover(images, tc.asked)
			if tc.want < 0 {
				if got != nil {
					t.Fatalf("frontCover = %v, want nil", got)
				}
				return
			}
			if got != images[tc.want] {
				t.Errorf("frontCover picked image %d, want %d", slices.Index(images, got), tc.want)
			}
		})
	}
}
