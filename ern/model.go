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
	// ReleaseDateFrom says where ReleaseDate came from when a read
	// message gave none (ERN 4.x makes Release/ReleaseDate optional):
	// DateFromDeals or DateFromOriginal. Empty: the message (or
	// release.toml) gave it. The writer writes ReleaseDate only when it
	// was given, so a round trip does not invent one.
	ReleaseDateFrom string
	Genre           string
	SubGenre        string
	ParentalWarning string // DDEX ParentalWarningType: Explicit, NotExplicit, ExplicitContentEdited, NoAdviceAvailable
	Type            string // Album, Single, EP, Compilation
	Language        string // BCP 47 language of the metadata; "en" when empty
	PLine           Line
	CLine           Line
	Cover           *Image
	Tracks          []Track
	Deals           []Deal
	// DealsOmitted marks a read 4.x NewReleaseMessage without a DealList:
	// its deals were sent (or are to be sent) separately. It is not a
	// takedown, and the writer writes no DealList for it.
	DealsOmitted bool
	// Titles are the release's titles in other languages than its own.
	Titles []LocalTitle
	// Notes list what a read message held that the model does not keep
	// or ferry does not deliver (see Note). The writer ignores them.
	Notes []Note
}

// Where ReleaseDate came from when the message gave none.
const (
	DateFromDeals    = "deals"    // the earliest deal start (ValidityPeriod/StartDate)
	DateFromOriginal = "original" // OriginalReleaseDate
)

// LocalTitle is a title in another language (DisplayTitle or Title with a
// LanguageAndScriptCode other than the message's).
type LocalTitle struct {
	Language     string // BCP 47
	Title        string
	VersionTitle string
}

// Note is something a read message held that ferry leaves out.
type Note struct {
	// Unsupported is true when the part left out is what the release is
	// about (a video, a ringtone, a boxed set): it cannot be delivered as
	// an audio release. False: the part is only ignored (a bonus
	// resource, a related release) and the rest is delivered.
	Unsupported bool
	// Where is the element, e.g. "ResourceList/Video[V1]".
	Where string
	// What says what was left out and why.
	What string
}

func (n Note) String() string { return n.Where + ": " + n.What }

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
	DisplayArtist   string       // empty: the release's display artist
	Artists         []Artist     // display artists; empty: the release's artists
	Contributors    []Artist     // non-display contributors (composer, producer…)
	Disc            int          // 1-based
	Number          int          // 1-based position on its disc
	ParentalWarning string       // empty: the release's parental warning
	Genre           string       // empty: the release's genre
	Titles          []LocalTitle // titles in other languages
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
	Prices              []Price  // optional PriceInformation
}

// Price is one PriceInformation of a deal. Amounts are kept as written
// (decimal strings) so that a round trip is exact.
type Price struct {
	Type            string // PriceType attribute (DDEX PriceInformationType), optional
	Code            string // PriceCode (4.x) or PriceType (3.8.2): the price tier
	Wholesale       Amount // WholesalePricePerUnit
	BulkWholesale   Amount // BulkOrderWholesalePricePerUnit
	SuggestedRetail Amount // SuggestedRetailPrice
}

// Amount is a price in a currency.
type Amount struct {
	Value    string // decimal, e.g. "0.99"
	Currency string // ISO 4217, e.g. "EUR"
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
