package ern

import (
	"fmt"
	"time"
)

// Test releases: each is written in every version, validated against the
// official XSD, compared with its golden file and read back.

var (
	sender    = Party{DPID: "PADPIDA2014122301Q", Name: "Example Records"}
	recipient = Party{DPID: "PADPIDA2009101501Y", Name: "Example DSP"}
	created   = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
)

// fixture is one test message.
type fixture struct {
	name string
	msg  *Message
}

// fixtures returns fresh copies of every test message (tests may change
// them).
func fixtures() []fixture {
	up := album12()
	up.Tracks[0].Audio.File.Provided = true
	for i := 1; i < len(up.Tracks); i++ {
		up.Tracks[i].Audio.File.Provided = false
	}
	up.Cover.File.Provided = false
	up.Title = "Northern Lights"
	return []fixture{
		{"album12", message("album12", NewRelease, album12())},
		{"single", message("single", NewRelease, single())},
		{"twodisc", message("twodisc", NewRelease, twoDisc())},
		{"compilation", message("compilation", NewRelease, compilation())},
		{"explicit", message("explicit", NewRelease, explicit())},
		{"preorder", message("preorder", NewRelease, preOrder())},
		{"ep", message("ep", NewRelease, ep())},
		{"priced", message("priced", NewRelease, priced())},
		{"update", message("update", Update, up)},
		{"takedown", message("takedown", Takedown, album12())},
		{"purge", message("purge", Purge, album12())},
	}
}

func message(id string, k Kind, r *Release) *Message {
	return &Message{
		Header: Header{
			ThreadID:  "thread-" + id,
			MessageID: "msg-" + id + "-1",
			Sender:    sender,
			Recipient: recipient,
			Created:   created,
		},
		Kind:    k,
		Release: r,
	}
}

var (
	aurora   = Artist{Name: "Aurora Vale", Roles: []string{"MainArtist"}, ISNI: "0000000121032683"}
	composer = Artist{Name: "Mira Holt", Roles: []string{"Composer", "Lyricist"}, IPI: "00052210040"}
	producer = Artist{Name: "Sam Okafor", Roles: []string{"Producer"}}
	mixer    = Artist{Name: "Lena Brandt", Roles: []string{"MixingEngineer"}}
)

func standardDeals() []Deal {
	return []Deal{
		{Territories: []string{"Worldwide"}, CommercialModel: "SubscriptionModel", UseTypes: []string{"OnDemandStream"}, StartDate: "2025-04-04"},
		{Territories: []string{"Worldwide"}, CommercialModel: "AdvertisementSupportedModel", UseTypes: []string{"OnDemandStream"}, StartDate: "2025-04-04"},
		{Territories: []string{"US", "CA", "GB"}, CommercialModel: "PayAsYouGoModel", UseTypes: []string{"PermanentDownload"}, StartDate: "2025-04-04", EndDate: "2030-12-31"},
		{Territories: []string{"Worldwide"}, ExcludedTerritories: []string{"CN", "RU"}, CommercialModel: "PayAsYouGoModel", UseTypes: []string{"PermanentDownload"}, StartDate: "2025-04-04"},
	}
}

// tracks makes n tracks on disc with ISRCs from isrcBase (7 digits are
// appended) and realistic technical details.
func tracks(upc string, disc, n, isrcStart int, title string) []Track {
	out := make([]Track, n)
	for i := range out {
		num := i + 1
		name := fmt.Sprintf("%s_%02d_%02d.wav", upc, disc, num)
		out[i] = Track{
			ISRC:         fmt.Sprintf("GBEXA25%05d", isrcStart+i),
			Title:        fmt.Sprintf("%s %d", title, num),
			Contributors: []Artist{composer, producer},
			Disc:         disc,
			Number:       num,
			Duration:     time.Duration(150+num*7)*time.Second + time.Duration(num*10)*time.Millisecond,
			Audio: Audio{
				File: File{
					Name: name, Path: "resources/", Size: int64(30_000_000 + num),
					HashAlgorithm: "MD5", Hash: fmt.Sprintf("%032x", 0xabc000+isrcStart+i), Provided: true,
				},
				Codec: "WAV", SampleRate: 44100, BitsPerSample: 16, Channels: 2,
			},
		}
	}
	return out
}

func cover(upc string) *Image {
	return &Image{
		File: File{Name: upc + ".jpg", Path: "resources/", Size: 2_345_678,
			HashAlgorithm: "MD5", Hash: "0123456789abcdef0123456789abcdef", Provided: true},
		Codec: "JPEG", Width: 3000, Height: 3000,
	}
}

func album12() *Release {
	upc := "5901234123457"
	t := tracks(upc, 1, 12, 1, "Northern Light")
	t[3].VersionTitle = "Radio Edit"
	t[5].Contributors = append(t[5].Contributors, mixer)
	return &Release{
		UPC: upc, GRid: "A10302B0001234567I", CatalogNumber: "EXR-001",
		Title: "Northern Lights", VersionTitle: "Deluxe Edition",
		DisplayArtist: "Aurora Vale", Artists: []Artist{aurora},
		Label:       "Example Records",
		ReleaseDate: "2025-04-04", OriginalReleaseDate: "2024-11-01",
		Genre: "Pop", SubGenre: "Synth-pop",
		ParentalWarning: "NotExplicit", Type: "Album", Language: "en",
		PLine:  Line{Year: 2025, Text: "(P) 2025 Example Records"},
		CLine:  Line{Year: 2025, Text: "(C) 2025 Example Records"},
		Cover:  cover(upc),
		Tracks: t,
		Deals:  standardDeals(),
	}
}

func single() *Release {
	upc := "590123412342"
	t := tracks(upc, 1, 1, 101, "Glass Rivers")
	t[0].Title = "Glass Rivers"
	t[0].DisplayArtist = "Aurora Vale feat. Theo Marsh"
	t[0].Artists = []Artist{aurora, {Name: "Theo Marsh", Roles: []string{"FeaturedArtist"}}}
	return &Release{
		UPC: upc, Title: "Glass Rivers",
		DisplayArtist: "Aurora Vale", Artists: []Artist{aurora},
		Label: "Example Records", ReleaseDate: "2025-02-07",
		Genre: "Pop", ParentalWarning: "NotExplicit", Type: "Single", Language: "en",
		PLine: Line{Year: 2025, Text: "(P) 2025 Example Records"},
		CLine: Line{Year: 2025, Text: "(C) 2025 Example Records"},
		Cover: cover(upc), Tracks: t, Deals: standardDeals()[:2],
	}
}

func twoDisc() *Release {
	upc := "842123456780"
	t := append(tracks(upc, 1, 6, 201, "Side A Song"), tracks(upc, 2, 5, 301, "Side B Song")...)
	return &Release{
		UPC: upc, Title: "Two Rooms", DisplayArtist: "The Lanterns",
		Artists: []Artist{{Name: "The Lanterns", Roles: []string{"MainArtist"}}},
		Label:   "Example Records", ReleaseDate: "2025-05-16",
		Genre: "Rock", ParentalWarning: "NotExplicit", Type: "Album", Language: "en",
		PLine: Line{Year: 2025, Text: "(P) 2025 Example Records"},
		CLine: Line{Year: 2025, Text: "(C) 2025 Example Records"},
		Cover: cover(upc), Tracks: t, Deals: standardDeals(),
	}
}

func compilation() *Release {
	upc := "196590123455"
	t := tracks(upc, 1, 5, 401, "Summer Hit")
	names := []string{"Aurora Vale", "The Lanterns", "DJ Koda", "Nia Sol", "Brass Theory"}
	for i := range t {
		a := Artist{Name: names[i], Roles: []string{"MainArtist"}}
		if i == 0 {
			a = aurora
		}
		t[i].DisplayArtist = names[i]
		t[i].Artists = []Artist{a}
		t[i].Genre = []string{"", "Rock", "Dance", "R&B", "Jazz"}[i] // "": the release's (Pop)
	}
	return &Release{
		UPC: upc, Title: "Summer Hits 2025", DisplayArtist: "Various Artists",
		Artists: []Artist{{Name: "Various Artists", Roles: []string{"MainArtist"}}},
		Label:   "Example Compilations", ReleaseDate: "2025-06-20",
		Genre: "Pop", ParentalWarning: "NotExplicit", Type: "Compilation", Language: "en",
		PLine: Line{Year: 2025, Text: "(P) 2025 Example Compilations"},
		CLine: Line{Year: 2025, Text: "(C) 2025 Example Compilations"},
		Cover: cover(upc), Tracks: t, Deals: standardDeals(),
	}
}

func explicit() *Release {
	upc := "882720123456"
	t := tracks(upc, 1, 4, 501, "Loud Thing")
	t[1].ParentalWarning = "NotExplicit"
	t[2].ParentalWarning = "ExplicitContentEdited"
	t[2].VersionTitle = "Clean"
	return &Release{
		UPC: upc, Title: "No Filter", DisplayArtist: "Rex Dune",
		Artists: []Artist{{Name: "Rex Dune", Roles: []string{"MainArtist"}, ISNI: "000000011234567X"}},
		Label:   "Example Records", ReleaseDate: "2025-07-11",
		Genre: "Hip Hop/Rap", ParentalWarning: "Explicit", Type: "Album", Language: "en",
		PLine: Line{Year: 2025, Text: "(P) 2025 Example Records"},
		CLine: Line{Year: 2025, Text: "(C) 2025 Example Records"},
		Cover: cover(upc), Tracks: t, Deals: standardDeals(),
	}
}

func preOrder() *Release {
	upc := "509990123459"
	t := tracks(upc, 1, 8, 601, "Tomorrow")
	t[0].InstantGratification = true
	t[4].InstantGratification = true
	deals := []Deal{
		{Territories: []string{"Worldwide"}, CommercialModel: "SubscriptionModel", UseTypes: []string{"OnDemandStream"}, StartDate: "2025-09-19"},
		{Territories: []string{"Worldwide"}, CommercialModel: "PayAsYouGoModel", UseTypes: []string{"PermanentDownload"}, StartDate: "2025-09-19", PreOrderDate: "2025-08-01"},
	}
	return &Release{
		UPC: upc, Title: "Tomorrow, Again", DisplayArtist: "Aurora Vale", Artists: []Artist{aurora},
		Label: "Example Records", ReleaseDate: "2025-09-19",
		Genre: "Pop", ParentalWarning: "NotExplicit", Type: "Album", Language: "en",
		PLine: Line{Year: 2025, Text: "(P) 2025 Example Records"},
		CLine: Line{Year: 2025, Text: "(C) 2025 Example Records"},
		Cover: cover(upc), Tracks: t, Deals: deals,
	}
}

func ep() *Release {
	r := explicit()
	r.UPC = "036000291452"
	r.Title = "Short Stories"
	r.Type = "EP"
	r.ParentalWarning = "NotExplicit"
	for i := range r.Tracks {
		r.Tracks[i].ParentalWarning = ""
		r.Tracks[i].Audio.File.Name = fmt.Sprintf("%s_01_%02d.wav", r.UPC, i+1)
	}
	r.Cover = cover(r.UPC)
	return r
}

// priced is a release with prices on its deals and titles in other
// languages, which every version can hold.
func priced() *Release {
	r := single()
	r.UPC = "4988006123459"
	r.Titles = []LocalTitle{{Language: "ja", Title: "硝子の川"}, {Language: "fr", Title: "Rivières de verre", VersionTitle: "Édition"}}
	r.Tracks[0].Titles = []LocalTitle{{Language: "ja", Title: "硝子の川", VersionTitle: "ラジオ"}}
	r.Deals[0].Prices = []Price{{Code: "FRONTLINE", Wholesale: Amount{Value: "0.70", Currency: "EUR"}}}
	r.Deals = append(r.Deals, Deal{Territories: []string{"JP"}, CommercialModel: "PayAsYouGoModel", UseTypes: []string{"PermanentDownload"},
		StartDate: "2025-02-07", Prices: []Price{{Type: "StandardRetailPrice", Code: "MID", Wholesale: Amount{Value: "150", Currency: "JPY"},
			SuggestedRetail: Amount{Value: "255", Currency: "JPY"}}}})
	return r
}

// album30 is the benchmark release: a 30-track album.
func album30() *Release {
	r := album12()
	r.Tracks = tracks(r.UPC, 1, 30, 701, "Long Player")
	return r
}

// minimal is a release with only what ferry's validate stage requires:
// every optional value the schemas need is left to the writer's
// defaults.
func minimal() *Message {
	return message("minimal", NewRelease, &Release{
		UPC: "5901234123457", Title: "Bare", DisplayArtist: "Nobody",
		Tracks: []Track{{ISRC: "GBEXA2500999", Title: "Only", Duration: 61 * time.Second}},
	})
}
