package validate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/stages/media/mediatest"
	"github.com/ferrydelivery/ferry/stages/record"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if mediaDir != "" {
		os.RemoveAll(mediaDir)
	}
	os.Exit(code)
}

// badRelease is one way a release can be wrong and the problem ferry
// must report for it.
type badRelease struct {
	name  string
	toml  func(testing.TB, string) string // edits release.toml; nil: unchanged
	files func(t *testing.T, dir string)  // changes the folder; nil: unchanged
	rules func(dsp string) config.Rules   // nil: defaults
	// The problem expected: its rule, where it is, a phrase of its text.
	rule, where, phrase string
	severity            Severity // "" : the rule's default
	// validator, when set, equips the validator (an identifier allocator,
	// an artist registry).
	validator func(t *testing.T, v *Validator)
}

// Media writers for the cases.
func wav(w mediatest.WAV) func(string) error { return w.Write }

func writeMedia(t *testing.T, dir, name string, write func(string) error) {
	t.Helper()
	p := filepath.Join(dir, name)
	os.Remove(p)
	if err := write(p); err != nil {
		t.Fatal(err)
	}
}

func truncateFile(t *testing.T, path string, keep float64) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, int64(float64(fi.Size())*keep)); err != nil {
		t.Fatal(err)
	}
}

const (
	track1 = "01-first-light.wav"
	track2 = "02-harbour-lights.flac"
)

var nfcName = "Caf\u00e9.wav"  // é as one code point (NFC), as release.toml has it
var nfdName = "Cafe\u0301.wav" // e + combining acute (NFD), as macOS writes it

func badReleases() []badRelease {
	sec := 100 * time.Millisecond
	return append([]badRelease{
		// release.toml itself
		{name: "no release.toml", files: func(t *testing.T, d string) { os.Remove(filepath.Join(d, ReleaseFileName)) },
			rule: ruleReleaseFile, where: ReleaseFileName, phrase: "no release.toml"},
		{name: "syntax error", toml: replace(`title = "Harbour Lights"`, `title = "Harbour Lights`),
			rule: ruleReleaseFile, where: ReleaseFileName, phrase: "line 5"},
		{name: "unknown key", toml: replace(`title = "Harbour Lights"`, `titel = "Harbour Lights"`),
			rule: ruleReleaseFile, where: "titel", phrase: `unknown key (did you mean "title"?)`},
		{name: "wrong value type", toml: replace(`disc = 1`, `disc = "one"`),
			rule: ruleReleaseFile, where: "tracks[1].disc", phrase: "the value is text where a whole number is expected"},
		{name: "binary release.toml", files: func(t *testing.T, d string) {
			writeTestFile(t, filepath.Join(d, ReleaseFileName), "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
		}, rule: ruleReleaseFile, where: ReleaseFileName, phrase: "not UTF-8 text"},
		{name: "huge release.toml", files: func(t *testing.T, d string) {
			writeTestFile(t, filepath.Join(d, ReleaseFileName), strings.Repeat("# padding\n", 120_000))
		}, rule: ruleReleaseFile, where: ReleaseFileName, phrase: "more than the 1048576 allowed"},
		{name: "deeply nested release.toml", toml: appendTOML("x = " + strings.Repeat("{a = ", 5000)),
			rule: ruleReleaseFile, where: ReleaseFileName, phrase: "nested more than 16 levels"},
		{name: "release.toml is a folder", files: func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, ReleaseFileName))
			os.Mkdir(filepath.Join(d, ReleaseFileName), 0o755)
		}, rule: ruleReleaseFile, where: ReleaseFileName, phrase: "is a folder"},
		{name: "release.toml is a FIFO", files: func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, ReleaseFileName))
			mkfifo(t, filepath.Join(d, ReleaseFileName))
		}, rule: ruleReleaseFile, where: ReleaseFileName, phrase: "named pipe"},
		{name: "release.toml links outside", files: func(t *testing.T, d string) {
			outside := filepath.Join(filepath.Dir(d), "elsewhere.toml")
			writeTestFile(t, outside, goodTOML(t))
			os.Remove(filepath.Join(d, ReleaseFileName))
			os.Symlink(outside, filepath.Join(d, ReleaseFileName))
		}, rule: ruleReleaseFile, where: ReleaseFileName, phrase: "link leading outside"},
		{name: "release.toml unreadable (link loop)", files: func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, ReleaseFileName))
			os.Symlink(ReleaseFileName, filepath.Join(d, ReleaseFileName))
		}, rule: ruleReleaseFile, where: ReleaseFileName, phrase: "link loop"},
		{name: "unknown action", toml: replace(`action = "deliver"`, `action = "delete"`),
			rule: ruleAction, where: "action", phrase: `"delete" is not an action`},

		// required fields
		{name: "no title", toml: replace(`title = "Harbour Lights"`, ``),
			rule: ruleRequired, where: "title", phrase: "title is missing"},
		{name: "no label", toml: replace(`label = "Example Records"`, `label = "  "`),
			rule: ruleRequired, where: "label", phrase: "label is missing"},
		{name: "no deals", toml: func(_ testing.TB, s string) string { return s[:strings.Index(s, "[[deals]]")] },
			rule: ruleRequired, where: "deals", phrase: "no deals"},
		{name: "track without ISRC", toml: replace(`isrc = "GB-EXR-26-00002"`, ``),
			rule: ruleRequired, where: "tracks[2].isrc", phrase: "missing"},
		{name: "contributor without name", toml: replace(`name = "Jo Writer"`, `name = ""`),
			rule: ruleRequired, where: "tracks[1].contributors[1].name", phrase: "missing"},
		{name: "deal without territories", toml: replace(`territories = ["Worldwide"]
commercial_model = "PayAsYouGoModel"`, `commercial_model = "PayAsYouGoModel"`),
			rule: ruleRequired, where: "deals[2].territories", phrase: "missing"},

		// identifiers
		{name: "UPC check digit", toml: replace(`upc = "5901234123457"`, `upc = "5901234123458"`),
			rule: ruleUPC, where: "upc", phrase: "check digit is 8, expected 7"},
		{name: "UPC too short", toml: replace(`upc = "5901234123457"`, `upc = "59012341234"`),
			rule: ruleUPC, where: "upc", phrase: "11 digits"},
		{name: "ISRC syntax", toml: replace(`isrc = "GB-EXR-26-00001"`, `isrc = "GB-EXR-2A-00001"`),
			rule: ruleISRC, where: "tracks[1].isrc", phrase: "expected a digit"},
		{name: "same ISRC twice", toml: replace(`isrc = "GB-EXR-26-00002"`, `isrc = "gbexr2600001"`),
			rule: ruleISRCDuplicate, where: "tracks[2].isrc", phrase: "also the ISRC of tracks[1]"},
		{name: "GRid check character", toml: replace(`catalog_number = "EXR-0001"`, `catalog_number = "EXR-0001"
grid = "A12425GABC1234002X"`),
			rule: ruleGRid, where: "grid", phrase: "check character is X, expected M"},
		{name: "contributor ISNI", toml: replace(`roles = ["Composer", "Lyricist"]`, `roles = ["Composer", "Lyricist"]
  isni = "0000 0001 2103 2684"`),
			rule: ruleISNI, where: "tracks[1].contributors[1].isni", phrase: "expected 3"},
		{name: "artist ISNI", toml: replace(`roles = ["MainArtist"]`, `roles = ["MainArtist"]
isni = "12345"`),
			rule: ruleISNI, where: "artists[1].isni", phrase: `(artist "The Example Band")`},

		// files
		{name: "missing file", files: func(t *testing.T, d string) { os.Remove(filepath.Join(d, track1)) },
			rule: ruleFileMissing, where: "tracks[1].file", phrase: `"01-first-light.wav" does not exist`},
		{name: "file name differs in case", files: func(t *testing.T, d string) {
			os.Rename(filepath.Join(d, track1), filepath.Join(d, "01-First-Light.WAV"))
		}, rule: ruleFileMissing, where: "tracks[1].file", phrase: `there is "01-First-Light.WAV"`},
		{name: "missing folder", toml: replace(`file = "01-first-light.wav"`, `file = "audio/01-first-light.wav"`),
			rule: ruleFileMissing, where: "tracks[1].file", phrase: `no folder "audio"`},
		{name: "absolute path", toml: replace(`file = "01-first-light.wav"`, `file = "/srv/audio/01-first-light.wav"`),
			rule: ruleFileOutside, where: "tracks[1].file", phrase: "absolute path"},
		{name: "Windows path", toml: replace(`cover = "cover.jpg"`, `cover = 'C:\Users\me\cover.jpg'`),
			rule: ruleFileOutside, where: "cover", phrase: "absolute path"},
		{name: "dot-dot", toml: replace(`file = "01-first-light.wav"`, `file = "../other/01-first-light.wav"`),
			rule: ruleFileOutside, where: "tracks[1].file", phrase: `uses ".."`},
		{name: "link leading outside", files: func(t *testing.T, d string) {
			outside := filepath.Join(filepath.Dir(d), "outside.wav")
			copyTestFile(t, filepath.Join(d, track1), outside)
			os.Remove(filepath.Join(d, track1))
			os.Symlink(outside, filepath.Join(d, track1))
		}, rule: ruleFileOutside, where: "tracks[1].file", phrase: "link leading outside"},
		{name: "link into .ferry", files: func(t *testing.T, d string) {
			os.MkdirAll(filepath.Join(d, record.ItemDir), 0o755)
			os.Rename(filepath.Join(d, track1), filepath.Join(d, record.ItemDir, track1))
			os.Symlink(filepath.Join(record.ItemDir, track1), filepath.Join(d, track1))
		}, rule: ruleFileOutside, where: "tracks[1].file", phrase: ".ferry"},
		{name: "NFD file name", toml: replace(`file = "01-first-light.wav"`, `file = "`+nfcName+`"`), files: func(t *testing.T, d string) {
			os.Rename(filepath.Join(d, track1), filepath.Join(d, nfdName))
		}, rule: ruleFileNormalization, where: "tracks[1].file", phrase: "only after Unicode normalization"},
		{name: "NFC and NFD twins", toml: replace(`file = "01-first-light.wav"`, `file = "`+nfcName+`"`), files: func(t *testing.T, d string) {
			copyTestFile(t, filepath.Join(d, track1), filepath.Join(d, nfdName))
			os.Rename(filepath.Join(d, track1), filepath.Join(d, nfcName))
		}, rule: ruleFileAmbiguous, where: "tracks[1].file", phrase: "differing only in Unicode normalization"},
		{name: "zero-byte file", files: func(t *testing.T, d string) { writeTestFile(t, filepath.Join(d, track2), "") },
			rule: ruleFileEmpty, where: "tracks[2].file", phrase: "empty (0 bytes)"},
		{name: "folder named like audio", files: func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, track1))
			os.Mkdir(filepath.Join(d, track1), 0o755)
		}, rule: ruleFileNotRegular, where: "tracks[1].file", phrase: "is a folder"},
		{name: "FIFO named like audio", files: func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, track1))
			mkfifo(t, filepath.Join(d, track1))
		}, rule: ruleFileNotRegular, where: "tracks[1].file", phrase: "named pipe (FIFO)"},
		{name: "unreadable file (link loop)", files: func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, track1))
			os.Symlink(track1, filepath.Join(d, track1))
		}, rule: ruleFileUnreadable, where: "tracks[1].file", phrase: "link loop"},
		{name: "unreferenced audio", files: func(t *testing.T, d string) {
			copyTestFile(t, filepath.Join(d, track1), filepath.Join(d, "bonus", "03-bonus.wav"))
			writeTestFile(t, filepath.Join(d, "._01-first-light.wav"), "macOS resource fork, not reported")
		}, rule: ruleFileUnreferenced, where: "bonus/03-bonus.wav", phrase: "no track references it"},
		{name: "unreferenced FIFO named like audio", files: func(t *testing.T, d string) { mkfifo(t, filepath.Join(d, "04.flac")) },
			rule: ruleFileUnreferenced, where: "04.flac", phrase: "named pipe"},
		{name: "folders nested 40 deep", files: func(t *testing.T, d string) {
			if err := os.MkdirAll(filepath.Join(d, strings.Repeat("n/", 40)), 0o755); err != nil {
				t.Fatal(err)
			}
		}, rule: ruleFolderDepth, where: "folder", phrase: "nested more than 32 deep"},
		{name: "a path over 1,024 bytes", files: func(t *testing.T, d string) {
			long := filepath.Join(d, strings.Repeat("x", 250), strings.Repeat("y", 250), strings.Repeat("z", 250), strings.Repeat("w", 250), strings.Repeat("v", 100))
			if err := os.MkdirAll(long, 0o755); err != nil {
				t.Fatal(err)
			}
		}, rule: ruleFolderDepth, where: "folder", phrase: "bytes long (at most 1024)"},
		{name: "two tracks, one file", toml: replace(`file = "02-harbour-lights.flac"`, `file = "01-first-light.wav"`),
			rule: ruleFileReused, where: "tracks[2].file", phrase: "same file as tracks[1].file"},

		// audio
		{name: "truncated WAV", files: func(t *testing.T, d string) { truncateFile(t, filepath.Join(d, track1), 0.5) },
			rule: ruleAudioHeader, where: "tracks[1].file", phrase: "truncated"},
		{name: "WAV without fmt chunk", files: func(t *testing.T, d string) {
			writeMedia(t, d, track1, wav(mediatest.WAV{SampleRate: 44100, Bits: 16, Channels: 2, Duration: sec, NoFmt: true}))
		}, rule: ruleAudioHeader, where: "tracks[1].file", phrase: "fmt"},
		{name: "FLAC cut inside STREAMINFO", files: func(t *testing.T, d string) {
			p := filepath.Join(d, track2)
			os.Truncate(p, 20)
		}, rule: ruleAudioHeader, where: "tracks[2].file", phrase: "FLAC"},
		{name: "AIFF", files: func(t *testing.T, d string) {
			writeTestFile(t, filepath.Join(d, track1), "FORM\x00\x00\x10\x00AIFFCOMM\x00\x00\x00\x12")
		}, rule: ruleAudioUnsupported, where: "tracks[1].file", phrase: "AIFF"},
		{name: "MP3 named .wav", files: func(t *testing.T, d string) {
			writeTestFile(t, filepath.Join(d, track1), "\xff\xfb\x90\x64"+strings.Repeat("\x00", 400))
		}, rule: ruleAudioUnsupported, where: "tracks[1].file", phrase: "MP3"},
		{name: "float WAV", files: func(t *testing.T, d string) {
			writeMedia(t, d, track1, wav(mediatest.WAV{SampleRate: 44100, Bits: 32, Channels: 2, Duration: sec, Float: true}))
		}, rule: ruleAudioPCM, where: "tracks[1].file", phrase: "32-bit floating-point"},
		{name: "extensible WAV refused", files: func(t *testing.T, d string) {
			writeMedia(t, d, track1, wav(mediatest.WAV{SampleRate: 48000, Bits: 24, Channels: 2, Duration: sec, Extensible: true}))
		}, rules: func(string) config.Rules { no := false; return config.Rules{AllowExtensible: &no} },
			rule: ruleAudioExtensible, where: "tracks[1].file", phrase: "WAVE_FORMAT_EXTENSIBLE"},
		{name: "FLAC for a WAV-only DSP", rules: func(string) config.Rules { return config.Rules{AudioFormats: []string{"WAV"}} },
			rule: ruleAudioFormat, where: "tracks[2].file", phrase: "is FLAC; this DSP takes WAV only"},
		{name: "22.05 kHz", files: func(t *testing.T, d string) {
			writeMedia(t, d, track1, func(p string) error { return mediatest.WriteWAV(p, 22050, 16, 2, sec) })
		}, rule: ruleAudioQuality, where: "tracks[1].file", phrase: "22.05 kHz / 16-bit"},
		{name: "8-bit", files: func(t *testing.T, d string) {
			writeMedia(t, d, track1, func(p string) error { return mediatest.WriteWAV(p, 44100, 8, 2, sec) })
		}, rule: ruleAudioQuality, where: "tracks[1].file", phrase: "44.1 kHz / 8-bit"},
		{name: "surround", files: func(t *testing.T, d string) {
			writeMedia(t, d, track2, func(p string) error { return mediatest.WriteFLAC(p, 48000, 24, 6, sec) })
		}, rule: ruleAudioChannels, where: "tracks[2].file", phrase: "6 channels"},
		{name: "no samples", files: func(t *testing.T, d string) {
			writeMedia(t, d, track1, func(p string) error { return mediatest.WriteWAV(p, 44100, 16, 2, 0) })
		}, rule: ruleAudioEmpty, where: "tracks[1].file", phrase: "0 samples"},
		{name: "FLAC named .wav", files: func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, track1))
			os.Rename(filepath.Join(d, track2), filepath.Join(d, track1))
			copyTestFile(t, filepath.Join(baseMedia(t), track1), filepath.Join(d, track2))
		}, rule: ruleAudioExtension, where: "tracks[1].file", phrase: `FLAC file but its name ends in ".wav"`},

		// artwork
		{name: "cover not square", files: func(t *testing.T, d string) {
			writeMedia(t, d, "cover.jpg", func(p string) error { return mediatest.WriteJPEG(p, 3000, 2400) })
		}, rule: ruleArtworkSquare, where: "cover", phrase: "3000×2400 px; covers must be square"},
		{name: "cover too small", files: func(t *testing.T, d string) {
			writeMedia(t, d, "cover.jpg", func(p string) error { return mediatest.WriteJPEG(p, 1400, 1400) })
		}, rule: ruleArtworkSize, where: "cover", phrase: "needs at least 3000×3000 px"},
		{name: "cover under a DSP's own minimum", rules: func(string) config.Rules { return config.Rules{MinArtworkPx: 4000} },
			rule: ruleArtworkSize, where: "cover", phrase: "needs at least 4000×4000 px"},
		{name: "CMYK cover", files: func(t *testing.T, d string) {
			writeMedia(t, d, "cover.jpg", func(p string) error { return mediatest.WriteCMYKJPEG(p, 3000, 3000) })
		}, rule: ruleArtworkColor, where: "cover", phrase: "CMYK"},
		{name: "greyscale cover", toml: replace(`cover = "cover.jpg"`, `cover = "cover.png"`), files: func(t *testing.T, d string) {
			writeMedia(t, d, "cover.png", func(p string) error { return mediatest.WriteGrayPNG(p, 3000, 3000) })
		}, rule: ruleArtworkColor, where: "cover", phrase: "greyscale"},
		{name: "cover over the byte limit", rules: func(string) config.Rules { return config.Rules{MaxArtworkBytes: 10_000} },
			rule: ruleArtworkBytes, where: "cover", phrase: "at most 9.8 KB"},
		{name: "truncated cover", files: func(t *testing.T, d string) { truncateFile(t, filepath.Join(d, "cover.jpg"), 0.6) },
			rule: ruleArtworkHeader, where: "cover", phrase: "truncated"},
		{name: "GIF cover", files: func(t *testing.T, d string) {
			writeTestFile(t, filepath.Join(d, "cover.jpg"), "GIF89a\x01\x00\x01\x00\x00\x00\x00;")
		}, rule: ruleArtworkUnsupported, where: "cover", phrase: "GIF"},
		{name: "PNG named .jpg", files: func(t *testing.T, d string) {
			writeMedia(t, d, "cover.jpg", func(p string) error { return mediatest.WritePNG(p, 3000, 3000) })
		}, rule: ruleArtworkExtension, where: "cover", phrase: `PNG file but its name ends in ".jpg"`},
		{name: "transparent cover", toml: replace(`cover = "cover.jpg"`, `cover = "cover.png"`), files: func(t *testing.T, d string) {
			writeMedia(t, d, "cover.png", func(p string) error { return mediatest.WriteRGBAPNG(p, 3000, 3000) })
		}, rule: ruleArtworkAlpha, where: "cover", phrase: "transparency"},

		// dates
		{name: "no such month", toml: replace(`release_date = "2026-12-04"`, `release_date = "2026-13-04"`),
			rule: ruleDate, where: "release_date", phrase: "month out of range"},
		{name: "date with slashes", toml: replace(`start_date = "2026-12-04"`, `start_date = "04/12/2026"`),
			rule: ruleDate, where: "deals[1].start_date", phrase: "not a date written YYYY-MM-DD"},
		{name: "original after release", toml: replace(`original_release_date = "2026-12-04"`, `original_release_date = "2027-01-01"`),
			rule: ruleDateOrder, where: "original_release_date", phrase: "after the release date"},
		{name: "pre-order after start", toml: replace(`use_types = ["PermanentDownload"]`, `use_types = ["PermanentDownload"]
preorder_date = "2026-12-10"`),
			rule: ruleDateOrder, where: "deals[2].preorder_date", phrase: "not before the deal starts on 2026-12-04"},
		{name: "end before start", toml: replace(`use_types = ["PermanentDownload"]`, `use_types = ["PermanentDownload"]
end_date = 2026-11-01`),
			rule: ruleDateOrder, where: "deals[2].end_date", phrase: "before it starts"},
		{name: "deal already ended", toml: edits(replace(`start_date = "2026-12-04"`, `start_date = "2020-01-01"
end_date = "2021-01-01"`)),
			rule: ruleDealEnded, where: "deals[1].end_date", phrase: "ended on 2021-01-01"},

		// deals and values
		{name: "UK for GB", toml: replace(`territories = ["Worldwide"]`, `territories = ["UK", "IE"]`),
			rule: ruleTerritory, where: "deals[1].territories", phrase: "United Kingdom is GB"},
		{name: "lower-case territory", toml: replace(`territories = ["Worldwide"]`, `territories = ["gb"]`),
			rule: ruleTerritory, where: "deals[1].territories", phrase: "capitals: GB"},
		{name: "unknown territory", toml: replace(`territories = ["Worldwide"]`, `territories = ["QQ"]`),
			rule: ruleTerritory, where: "deals[1].territories", phrase: "not an ISO 3166-1"},
		{name: "Worldwide and countries", toml: replace(`territories = ["Worldwide"]`, `territories = ["Worldwide", "FR"]`),
			rule: ruleTerritory, where: "deals[1].territories", phrase: "Worldwide already covers every country"},
		{name: "exclusions without Worldwide", toml: replace(`territories = ["Worldwide"]`, `territories = ["FR", "DE"]
excluded_territories = ["BE"]`),
			rule: ruleExcludedTerritory, where: "deals[1].excluded_territories", phrase: "apply only to a worldwide deal"},
		{name: "bad exclusion", toml: replace(`territories = ["Worldwide"]`, `territories = ["Worldwide"]
excluded_territories = ["Europe"]`),
			rule: ruleExcludedTerritory, where: "deals[1].excluded_territories", phrase: `"Europe" is not an ISO 3166-1`},
		{name: "commercial model", toml: replace(`commercial_model = "SubscriptionModel"`, `commercial_model = "Subscription"`),
			rule: ruleCommercialModel, where: "deals[1].commercial_model", phrase: `"Subscription" is not a DDEX commercial model`},
		{name: "use type", toml: replace(`use_types = ["PermanentDownload"]`, `use_types = ["Downloads"]`),
			rule: ruleUseType, where: "deals[2].use_types", phrase: `"Downloads" is not a DDEX use type`},
		{name: "parental warning", toml: replace(`parental_warning = "NotExplicit"`, `parental_warning = "clean"`),
			rule: ruleParentalWarning, where: "parental_warning", phrase: `"clean" is not a DDEX parental warning`},
		{name: "track parental warning", toml: replace(`number = 2`, `number = 2
parental_warning = "explicit"`),
			rule: ruleParentalWarning, where: "tracks[2].parental_warning", phrase: `"explicit"`},
		{name: "release type", toml: replace(`type = "Single"`, `type = "LP"`),
			rule: ruleReleaseType, where: "type", phrase: `"LP" is not a release type`},
		{name: "single with 4 tracks", toml: appendTOML(`[[tracks]]
isrc = "GB-EXR-26-00003"
title = "Third"
file = "03.wav"
[[tracks]]
isrc = "GB-EXR-26-00004"
title = "Fourth"
file = "04.wav"`), files: func(t *testing.T, d string) {
			copyTestFile(t, filepath.Join(d, track1), filepath.Join(d, "03.wav"))
			writeMedia(t, d, "04.wav", func(p string) error { return mediatest.WriteWAV(p, 48000, 24, 2, sec) })
		}, rule: ruleReleaseTypeTracks, where: "type", phrase: "this one has 4"},
		{name: "language with underscore", toml: replace(`language = "en"`, `language = "en_GB"`),
			rule: ruleLanguage, where: "language", phrase: `"en_GB" is not written as ERN language codes are`},
		{name: "language", toml: replace(`language = "en"`, `language = "English (UK)"`),
			rule: ruleLanguage, where: "language", phrase: "not a language code"},
		{name: "no P line", toml: replace(`p_line = { year = 2026, text = "2026 Example Records" }`, ``),
			rule: ruleLine, where: "p_line", phrase: "line is missing"},
		{name: "C line in the future", toml: replace(`c_line = { year = 2026,`, `c_line = { year = 2062,`),
			rule: ruleLine, where: "c_line.year", phrase: "2062 is not a plausible year"},
		{name: "deliver to an unknown DSP", toml: replace(`action = "deliver"`, `action = "deliver"
deliver_to = ["dsp", "spotfy"]`),
			rule: ruleDeliverTo, where: "deliver_to", phrase: `"spotfy" is not a DSP`},

		// track numbering
		{name: "two tracks numbered 1", toml: replace(`number = 2`, `number = 1`),
			rule: ruleTrackNumber, where: "tracks[2].number", phrase: "tracks[1] is also disc 1, number 1"},
		{name: "negative number", toml: replace(`number = 2`, `number = -2`),
			rule: ruleTrackNumber, where: "tracks[2]", phrase: "numbers start at 1"},
		{name: "gap in numbers", toml: replace(`number = 2`, `number = 3`),
			rule: ruleTrackNumbering, where: "tracks", phrase: "number 2 is missing"},
		{name: "disc 2 without disc 1", toml: edits(replace(`disc = 1`, `disc = 2`), replace(`disc = 1`, `disc = 2`)),
			rule: ruleTrackNumbering, where: "tracks", phrase: "disc 1 is missing"},
		{name: "listed out of order", toml: edits(replace(`number = 1`, `number = 9`), replace(`number = 2`, `number = 1`),
			replace(`number = 9`, `number = 2`)),
			rule: ruleTrackNumbering, where: "tracks[2].number", phrase: "listed after disc 1, number 2"},
		{name: "instant gratification without pre-order", toml: replace(`number = 2`, `number = 2
instant_gratification = true`),
			rule: ruleInstantGratification, where: "tracks[2].instant_gratification", phrase: "no deal has a preorder_date"},

		// style
		{name: "title in capitals", toml: replace(`title = "First Light"`, `title = "FIRST LIGHT"`),
			rule: ruleStyleCaps, where: "tracks[1].title", phrase: "written in capitals"},
		{name: "feat. in title", toml: replace(`title = "First Light"`, `title = "First Light feat. Jo Writer"`),
			rule: ruleStyleFeaturing, where: "tracks[1].title", phrase: `"feat." outside brackets`},
		{name: "artist in title", toml: replace(`title = "First Light"`, `title = "The Example Band - First Light"`),
			rule: ruleStyleArtistInTitle, where: "tracks[1].title", phrase: `repeats the artist name "The Example Band"`},
		{name: "double space", toml: replace(`display_artist = "The Example Band"`, `display_artist = "The  Example Band"`),
			rule: ruleStyleWhitespace, where: "display_artist", phrase: "doubled spaces"},

		// severity overrides
		{name: "style rule made an error", toml: replace(`title = "First Light"`, `title = "FIRST LIGHT"`),
			rules: func(string) config.Rules { return config.Rules{Severity: map[string]string{"style-caps": "error"}} },
			rule:  ruleStyleCaps, where: "tracks[1].title", phrase: "capitals", severity: Error},
		{name: "error made a warning", toml: replace(`territories = ["Worldwide"]`, `territories = ["UK"]`),
			rules: func(string) config.Rules { return config.Rules{Severity: map[string]string{"territory": "warning"}} },
			rule:  ruleTerritory, where: "deals[1].territories", phrase: "GB", severity: Warning},
		{name: "fixed rule not overridden", files: func(t *testing.T, d string) { os.Remove(filepath.Join(d, track1)) },
			rules: func(string) config.Rules { return config.Rules{Severity: map[string]string{"file-missing": "off"}} },
			rule:  ruleFileMissing, where: "tracks[1].file", phrase: "does not exist", severity: Error},

		// hostile values (issue 12)
		{name: "control character in a title", toml: replace(`title = "First Light"`, `title = "First\u0001Light"`),
			rule: ruleTextControl, where: "tracks[1].title", phrase: "character 6 is the control character U+0001"},
		{name: "label too long for file names", toml: replace(`label = "Example Records"`, `label = "`+strings.Repeat("Label", 60)+`"`),
			rule: ruleNameLength, where: "label", phrase: "resource file names of 343 bytes"},
		{name: "cover claims 65535x65535", files: func(t *testing.T, d string) {
			p := filepath.Join(d, "cover.jpg")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			sof := bytes.Index(b, []byte{0xFF, 0xC0})
			copy(b[sof+5:], []byte{0xFF, 0xFF, 0xFF, 0xFF})
			writeTestFile(t, p, string(b))
		}, rule: ruleArtworkDimensions, where: "cover", phrase: "the header says 65535x65535 pixels"},
		{name: "release date in year 0", toml: replace(`release_date = "2026-12-04"`, `release_date = "0000-01-01"`),
			rule: ruleDateYear, where: "release_date", phrase: "the year 0000 does not exist"},
		{name: "duplicate territories", toml: replace(`territories = ["Worldwide"]`, `territories = ["GB", "IE", "GB", "GB"]`),
			rule: ruleTerritoryDuplicate, where: "deals[1].territories", phrase: "2 entries repeat a territory"},

		{name: "overlapping deal windows", toml: appendTOML(`[[deals]]
territories = ["GB", "IE"]
commercial_model = "SubscriptionModel"
use_types = ["OnDemandStream"]
start_date = "2027-01-01"
end_date = "2027-06-30"`),
			rule: ruleWindowOverlap, where: "deals[3]", phrase: "deals[1] and deals[3] both offer OnDemandStream under SubscriptionModel in GB, IE from 2027-01-01 to 2027-06-30"},
		{name: "confirm names no rule", toml: prependTOML(`confirm = ["window-overlaps"]`),
			rule: ruleConfirm, where: "confirm[1]", phrase: `no rule is named "window-overlaps"`},
		{name: "confirm names a rule that cannot be confirmed", toml: prependTOML(`confirm = ["window-overlap", "isrc"]`),
			rule: ruleConfirm, where: "confirm[2]", phrase: `rule "isrc" cannot be confirmed`},

		{name: "release date inside the DSP's lead time",
			rules: func(string) config.Rules {
				return config.Rules{LeadTime: config.Duration{Duration: 100 * 365 * 24 * time.Hour}}
			},
			rule: ruleLeadTime, where: "release_date", phrase: "asks for releases", severity: Warning},

		// takedown
		{name: "takedown with a bad UPC", toml: func(testing.TB, string) string {
			return "action = \"takedown\"\nupc = \"5901234123450\"\n"
		}, rule: ruleUPC, where: "upc", phrase: "expected 7"},
		{name: "purge without its typed confirmation", toml: func(testing.TB, string) string {
			return "action = \"purge\"\nupc = \"5901234123457\"\nconfirm_purge = \"5901234123450\"\n"
		}, rule: rulePurgeConfirm, where: "confirm_purge", phrase: "cannot be undone"},
	}, append(append(ernBadReleases(), identifierBadReleases()...), presetBadReleases()...)...)
}

func TestValidateBadReleases(t *testing.T) {
	cases := badReleases()
	if len(cases) < 40 {
		t.Fatalf("only %d bad releases", len(cases))
	}
	// Every case breaks a release that is otherwise clean.
	if _, ps := testValidator(defaultRules).Validate(goodRelease(t)); len(ps) != 0 {
		t.Fatalf("the base release has problems:\n%s", ps.Error())
	}
	names := map[string]bool{}
	for _, c := range cases {
		if names[c.name] {
			t.Fatalf("two cases named %q", c.name)
		}
		names[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			dir := goodRelease(t)
			if c.toml != nil {
				editTOML(t, dir, c.toml)
			}
			if c.files != nil {
				c.files(t, dir)
			}
			rules := c.rules
			if rules == nil {
				rules = defaultRules
			}
			v := testValidator(rules)
			if c.validator != nil {
				c.validator(t, v)
			}
			_, ps := v.Validate(dir)
			p, ok := findProblem(ps, c.rule, c.where, c.phrase)
			if !ok {
				t.Fatalf("no %s problem at %s saying %q; got:\n%s", c.rule, c.where, c.phrase, ps.Error())
			}
			want := c.severity
			if want == "" {
				want = checkByName[c.rule].Severity
			}
			if p.Severity != want {
				t.Errorf("severity %s, want %s: %s", p.Severity, want, p)
			}
			if p.Fix == "" {
				t.Errorf("no fix given: %s", p)
			}
			for _, q := range ps {
				if q.Rule == ruleFileUnreferenced && strings.HasPrefix(filepath.Base(q.Where), ".") {
					t.Errorf("hidden file reported: %s", q)
				}
			}
		})
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
}
