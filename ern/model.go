// Package ern holds ferry's release model and turns it into DDEX ERN
// messages (and back). It knows nothing about disks or transports: callers
// hand it a Message and an io.Writer.
package ern

import "time"

// Release is one product as the label describes it: the model every ERN
// version is written from and read into.
type Release struct {
	UPC           string // ICPN (UPC or EAN), kept as a string: leading zeros matter
	GRid          string // optional Global Release Identifier
	CatalogNumber string // optional label catalogue number
	Title         string
	VersionTitle  string // optional, e.g. "Deluxe Edition"
	DisplayArtist string
	Artists       []Artist // release-level display artists, in order
	Label         string
	// Dates are ISO 8601 calendar dates (YYYY-MM-DD).
	ReleaseDate         string
	OriginalReleaseDate string
	Genre               string
	SubGenre            string
	ParentalWarning     string // DDEX ParentalWarningType: Explicit, NotExplicit, ExplicitContentEdited, NoAdviceAvailable
	Type                string // Album, Single, EP, Compilation
	Language            string // BCP 47 language of the metadata; "en" when empty
	PLine               Line
	CLine               Line
	Cover               *Image
	Tracks              []Track
	Deals               []Deal
}

// Line is a P (sound recording) or C (copyright) line.
type Line struct {
	Year int
	Text string
}

// Artist is a party credited on a release or track.
type Artist struct {
	Name  string
	Roles []string // MainArtist, FeaturedArtist, Composer, Producer, …
	ISNI  string   // optional, 16 characters
	IPI   string   // optional
}

// Track is one sound recording on the release.
type Track struct {
	ISRC            string
	Title           string
	VersionTitle    string
	DisplayArtist   string   // empty: the release's display artist
	Artists         []Artist // display artists; empty: the release's artists
	Contributors    []Artist // non-display contributors (composer, producer…)
	Disc            int      // 1-based
	Number          int      // 1-based position on its disc
	ParentalWarning string   // empty: the release's parental warning
	Genre           string   // empty: the release's genre
	Duration        time.Duration
	// InstantGratification marks a track available at pre-order time.
	InstantGratification bool
	Audio                Audio
}

// Audio is a sound recording's delivered file and its technical details.
type Audio struct {
	File          File
	Codec         string // WAV, FLAC
	SampleRate    int    // Hz
	BitsPerSample int
	Channels      int
}

// Image is the cover art and its technical details.
type Image struct {
	File   File
	Codec  string // JPEG, PNG
	Width  int
	Height int
}

// File is a resource file as it appears in the delivery package.
type File struct {
	Name          string // file name, e.g. "5901234123457_01_01.wav"
	Path          string // folder inside the package, e.g. "resources/"
	Size          int64
	HashAlgorithm string // DDEX HashSumAlgorithmType: MD5, SHA1, SHA-256
	Hash          string // lower-case hex
	// Provided is false when the file was delivered before and is not sent
	// again (written as IsProvidedInDelivery in ERN 4.2 and later).
	Provided bool
}

// URI is the file's location relative to the message, as ERN 4.x writes it.
func (f File) URI() string { return f.Path + f.Name }

// Deal is one commercial offer of the release.
type Deal struct {
	Territories         []string // ISO 3166-1 alpha-2 codes or "Worldwide"
	ExcludedTerritories []string
	CommercialModel     string   // SubscriptionModel, AdvertisementSupportedModel, PayAsYouGoModel…
	UseTypes            []string // Stream, OnDemandStream, PermanentDownload…
	StartDate           string   // YYYY-MM-DD
	EndDate             string   // optional; a date in the past ends the deal
	PreOrderDate        string   // optional; pre-orders open on this date
}

// Party identifies a message sender or recipient.
type Party struct {
	DPID string // PADPIDA…
	Name string
}

// Header is what the ERN MessageHeader carries.
type Header struct {
	ThreadID  string
	MessageID string // unique per delivery attempt
	Sender    Party
	Recipient Party
	Created   time.Time
	Test      bool // MessageControlType TestMessage instead of LiveMessage
}

// Kind says what a message asks the recipient to do.
type Kind int

const (
	// NewRelease is a first delivery.
	NewRelease Kind = iota
	// Update re-describes a release already delivered.
	Update
	// Takedown withdraws the release from sale.
	Takedown
	// Purge asks the recipient to remove the release entirely
	// (PurgeReleaseMessage).
	Purge
)

func (k Kind) String() string {
	switch k {
	case NewRelease:
		return "new"
	case Update:
		return "update"
	case Takedown:
		return "takedown"
	case Purge:
		return "purge"
	}
	return "unknown"
}

// Message is one release notification to one recipient.
type Message struct {
	Header  Header
	Kind    Kind
	Release *Release
}
