package ern

// Defaults the writer applies where the model leaves an optional value
// empty but the schema needs one, and the inheritance rules between a
// release and its tracks ("empty: the release's …"). The reader applies
// the same rules in reverse, so a round trip keeps empty fields empty.

const (
	defaultParentalWarning = "NoAdviceAvailable"
	defaultGenre           = "Unknown"
	mainArtist             = "MainArtist"
)

// releaseArtists are the release's display artists; a release with only
// a DisplayArtist string gets one main artist of that name.
func (w *writer) releaseArtists() []Artist {
	if len(w.r.Artists) > 0 {
		return w.r.Artists
	}
	return []Artist{{Name: w.r.DisplayArtist, Roles: []string{mainArtist}}}
}

// releaseDisplayArtist is the release's DisplayArtistName.
func (w *writer) releaseDisplayArtist() string {
	if w.r.DisplayArtist != "" {
		return w.r.DisplayArtist
	}
	return joinNames(w.r.Artists)
}

// trackArtists are a track's display artists: its own, else the release's.
func (w *writer) trackArtists(t *Track) []Artist {
	if len(t.Artists) > 0 {
		return t.Artists
	}
	if t.DisplayArtist != "" {
		return []Artist{{Name: t.DisplayArtist, Roles: []string{mainArtist}}}
	}
	return w.releaseArtists()
}

// trackDisplayArtist is a track's DisplayArtistName.
func (w *writer) trackDisplayArtist(t *Track) string {
	if t.DisplayArtist != "" {
		return t.DisplayArtist
	}
	if len(t.Artists) > 0 {
		return joinNames(t.Artists)
	}
	return w.releaseDisplayArtist()
}

// parentalWarnings are the ParentalWarningType values of every version;
// another word (there is no common UserDefined form) is written as
// NoAdviceAvailable: the validate stage rejects such words before.
var parentalWarnings = newSet("Explicit", "ExplicitContentEdited", "NoAdviceAvailable", "NotExplicit", "Unknown")

func (w *writer) releaseParental() string {
	if parentalWarnings[w.r.ParentalWarning] {
		return w.r.ParentalWarning
	}
	return defaultParentalWarning
}

func (w *writer) trackParental(t *Track) string {
	if t.ParentalWarning == "" {
		return w.releaseParental()
	}
	if parentalWarnings[t.ParentalWarning] {
		return t.ParentalWarning
	}
	return defaultParentalWarning
}

func (w *writer) releaseGenre() string {
	if w.r.Genre != "" {
		return w.r.Genre
	}
	return defaultGenre
}

func (w *writer) trackGenre(t *Track) string {
	if t.Genre != "" {
		return t.Genre
	}
	return w.releaseGenre()
}

// label is the release's label name; a release without one is labelled
// with its sender's name (the schema needs a label).
func (w *writer) label() string {
	if w.r.Label != "" {
		return w.r.Label
	}
	if w.m.Header.Sender.Name != "" {
		return w.m.Header.Sender.Name
	}
	return w.releaseDisplayArtist()
}

// releaseKey names the release inside proprietary ids: its UPC, else
// its GRid.
func (w *writer) releaseKey() string {
	if w.r.UPC != "" {
		return w.r.UPC
	}
	if w.r.GRid != "" {
		return w.r.GRid
	}
	return "release"
}

// disc is a track's 1-based disc number (0 in the model means disc 1).
func disc(t *Track) int {
	if t.Disc < 1 {
		return 1
	}
	return t.Disc
}

// multiDisc reports whether the release has tracks on more than one disc.
func (w *writer) multiDisc() bool {
	for i := range w.r.Tracks {
		if disc(&w.r.Tracks[i]) != disc(&w.r.Tracks[0]) {
			return true
		}
	}
	return false
}

// discs lists the disc numbers in order of first appearance with the
// indexes of their tracks.
func (w *writer) discs() (numbers []int, tracks map[int][]int) {
	tracks = map[int][]int{}
	for i := range w.r.Tracks {
		d := disc(&w.r.Tracks[i])
		if _, ok := tracks[d]; !ok {
			numbers = append(numbers, d)
		}
		tracks[d] = append(tracks[d], i)
	}
	return numbers, tracks
}

// trackNumber is a track's position on its disc; 0 in the model means
// its order among the disc's tracks.
func trackNumber(t *Track, position int) int {
	if t.Number > 0 {
		return t.Number
	}
	return position
}

// givenReleaseDate is the release date when the message or release.toml
// gave it; one the reader worked out (ReleaseDateFrom) is not written,
// so that reading the message back gives the same model.
func (w *writer) givenReleaseDate() string {
	if w.r.ReleaseDateFrom != "" {
		return ""
	}
	return w.r.ReleaseDate
}
