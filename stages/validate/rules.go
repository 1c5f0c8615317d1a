package validate

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ferrydelivery/ferry/config"
)

// Check describes one validation rule: its stable name (what problems
// carry in Rule and what `severity` overrides in the config name), its
// default severity, and whether the config may change it.
type Check struct {
	Name     string
	Severity Severity
	// Fixed rules guard what ferry cannot deliver without (a readable
	// release.toml, files inside the folder, headers it can read):
	// severity overrides do not apply to them.
	Fixed bool
	// PerDSP rules read the DSP's [rules] limits, so their outcome can
	// differ between the DSPs a release goes to.
	PerDSP  bool
	Summary string
}

// Rule names. They are part of the configuration interface: never rename
// one.
const (
	ruleReleaseFile          = "release-file"
	ruleAction               = "action"
	rulePurgeConfirm         = "purge-confirm"
	ruleRequired             = "required"
	ruleDeliverTo            = "deliver-to"
	ruleFileMissing          = "file-missing"
	ruleFileOutside          = "file-outside"
	ruleFileNotRegular       = "file-not-regular"
	ruleFileEmpty            = "file-empty"
	ruleFileUnreadable       = "file-unreadable"
	ruleFileAmbiguous        = "file-ambiguous"
	ruleFileNormalization    = "file-name-normalization"
	ruleFileUnreferenced     = "file-unreferenced"
	ruleFolderDepth          = "folder-depth"
	ruleFileReused           = "file-reused"
	ruleAudioHeader          = "audio-header"
	ruleAudioUnsupported     = "audio-unsupported"
	ruleAudioFormat          = "audio-format"
	ruleAudioPCM             = "audio-pcm"
	ruleAudioExtensible      = "audio-extensible"
	ruleAudioQuality         = "audio-quality"
	ruleAudioChannels        = "audio-channels"
	ruleAudioEmpty           = "audio-empty"
	ruleAudioExtension       = "audio-extension"
	ruleArtworkHeader        = "artwork-header"
	ruleArtworkUnsupported   = "artwork-unsupported"
	ruleArtworkSquare        = "artwork-square"
	ruleArtworkSize          = "artwork-size"
	ruleArtworkBytes         = "artwork-bytes"
	ruleLeadTime             = "lead-time"
	ruleArtworkColor         = "artwork-color"
	ruleArtworkAlpha         = "artwork-alpha"
	ruleArtworkExtension     = "artwork-extension"
	ruleUPC                  = "upc"
	ruleISRC                 = "isrc"
	ruleISRCDuplicate        = "isrc-duplicate"
	ruleGRid                 = "grid"
	ruleISNI                 = "isni"
	ruleIDAuto               = "id-auto"
	ruleIDAutoIntake         = "id-auto-intake"
	ruleIDAllocated          = "id-allocated"
	ruleIDUnissued           = "id-unissued"
	ruleIDJournal            = "id-journal"
	ruleArtistISNI           = "artist-isni"
	ruleDate                 = "date"
	ruleDateOrder            = "date-order"
	ruleDealEnded            = "deal-ended"
	ruleTerritory            = "territory"
	ruleExcludedTerritory    = "excluded-territory"
	ruleCommercialModel      = "commercial-model"
	ruleUseType              = "use-type"
	ruleParentalWarning      = "parental-warning"
	ruleReleaseType          = "release-type"
	ruleReleaseTypeTracks    = "release-type-tracks"
	ruleLanguage             = "language"
	ruleLine                 = "line"
	ruleTrackNumber          = "track-number"
	ruleTrackNumbering       = "track-numbering"
	ruleInstantGratification = "instant-gratification"
	ruleStyleCaps            = "style-caps"
	ruleStyleFeaturing       = "style-featuring"
	ruleStyleArtistInTitle   = "style-artist-in-title"
	ruleStyleWhitespace      = "style-whitespace"
	ruleERNUnsupported       = "ern-unsupported"
	ruleERNLeftOut           = "ern-left-out"
	ruleERNDerived           = "ern-derived"
	ruleTextControl          = "text-control"
	ruleNameLength           = "name-length"
	ruleArtworkDimensions    = "artwork-dimensions"
	ruleDateYear             = "date-year"
	ruleTerritoryDuplicate   = "territory-duplicate"
	rulePreset               = "preset"
	ruleDealDSP              = "deal-dsp"
	rulePrice                = "price"
	ruleWindowOverlap        = "window-overlap"
	ruleConfirm              = "confirm"
)

// RuleWindowOverlap is the rule of overlapping deal windows: within the
// deals one DSP gets of a release, and between releases carrying the
// same recordings at one DSP (checked at fan-out, against the ledger).
const RuleWindowOverlap = ruleWindowOverlap

// checks is the catalogue of every rule, in the order the README lists
// them.
var checks = []Check{
	{ruleReleaseFile, Error, true, false, "release.toml is missing, unreadable, not UTF-8 text, larger than 1 MB, nested too deeply, has a syntax error or an unknown key, or is a link leading outside the folder"},
	{ruleAction, Error, true, false, `action is not "deliver", "takedown", "restore", "redeliver" or "purge", or a dropped ERN message is a PurgeReleaseMessage`},
	{rulePurgeConfirm, Error, true, false, `action = "purge" without confirm_purge set to the release's UPC`},
	{ruleRequired, Error, true, false, "a required field is empty (a takedown needs only upc)"},
	{ruleDeliverTo, Error, true, false, "deliver_to names a DSP that is not configured"},
	{ruleFileMissing, Error, true, false, "a referenced file does not exist (the message suggests a name differing only in case)"},
	{ruleFileOutside, Error, true, false, "a file reference is absolute, uses .., points into .ferry/, or is a link leading outside the release folder"},
	{ruleFileNotRegular, Error, true, false, "a referenced file is a folder, named pipe (FIFO), socket or device"},
	{ruleFileEmpty, Error, true, false, "a referenced file has 0 bytes"},
	{ruleFileUnreadable, Error, true, false, "a referenced file cannot be opened (permissions, a link loop, an I/O error)"},
	{ruleFileAmbiguous, Error, true, false, "two files in one folder have names that differ only in Unicode normalization (NFC/NFD)"},
	{ruleFileNormalization, Warning, false, false, "a file's name matches release.toml only after Unicode NFC normalization (macOS writes NFD); ferry uses the file"},
	{ruleFileUnreferenced, Warning, false, false, "an audio file (or something named like one) in the folder is referenced by no track"},
	{ruleFolderDepth, Error, true, false, "folders nested more than 32 deep, or a path inside the folder longer than 1,024 bytes"},
	{ruleFileReused, Error, false, false, "two tracks, or a track and the cover, reference the same file"},
	{ruleAudioHeader, Error, true, false, "a WAV or FLAC header is truncated or corrupt"},
	{ruleAudioUnsupported, Error, true, false, "an audio file is not WAV or FLAC (AIFF, MP3, AAC, Ogg, RF64…)"},
	{ruleAudioFormat, Error, false, true, "the audio format (WAV, FLAC) is not in the DSP's audio_formats"},
	{ruleAudioPCM, Error, false, false, "a WAV holds floating-point, ADPCM or compressed samples instead of integer PCM"},
	{ruleAudioExtensible, Error, false, true, "a WAV uses WAVE_FORMAT_EXTENSIBLE and the DSP's allow_wave_extensible is false"},
	{ruleAudioQuality, Error, false, false, "audio below 44.1 kHz or 16 bits"},
	{ruleAudioChannels, Warning, false, false, "audio with more than 2 channels"},
	{ruleAudioEmpty, Error, false, false, "an audio file holds no samples"},
	{ruleAudioExtension, Warning, false, false, "an audio file's extension does not match its content (a FLAC named .wav)"},
	{ruleArtworkHeader, Error, true, false, "the cover's JPEG or PNG data is truncated or corrupt"},
	{ruleArtworkUnsupported, Error, true, false, "the cover is not JPEG or PNG (GIF, TIFF, WebP, HEIF…)"},
	{ruleArtworkSquare, Error, false, false, "the cover is not square"},
	{ruleArtworkSize, Error, false, true, "the cover is smaller than the DSP's min_artwork_px"},
	{ruleArtworkBytes, Error, false, true, "the cover file is larger than the DSP's max_artwork_bytes"},
	{ruleLeadTime, Warning, false, true, "the release or pre-order date is closer than the DSP's lead_time, or past (make it an error per DSP to hold such releases back)"},
	{ruleArtworkColor, Error, false, false, "the cover is CMYK, greyscale or paletted instead of RGB"},
	{ruleArtworkAlpha, Warning, false, false, "the cover has an alpha (transparency) channel"},
	{ruleArtworkExtension, Warning, false, false, "the cover's extension does not match its content (a PNG named .jpg)"},
	{ruleUPC, Error, false, false, "the UPC/EAN is not 12, 13 or 14 digits (UPC-A, EAN-13, GTIN-14) with a valid check digit"},
	{ruleISRC, Error, false, false, "an ISRC is not CC-XXX-YY-NNNNN (after removing hyphens and spaces)"},
	{ruleISRCDuplicate, Error, false, false, "two tracks of the release share an ISRC"},
	{ruleGRid, Error, false, false, "the GRid is not A1 + 16 characters with a valid check character"},
	{ruleISNI, Error, false, false, "an artist's or contributor's ISNI is not 16 characters with a valid check character"},
	{ruleIDAuto, Error, true, false, `upc, grid or an isrc is "auto" and ferry could not give it a code (no [identifiers] block of that kind, every block used up, release.toml a link or written in a form ferry cannot rewrite)`},
	{ruleIDAutoIntake, Warning, true, false, `ferry validate (which allocates nothing) found "auto" where the configuration has a block of that kind: intake will allocate the code`},
	{ruleIDAllocated, Warning, false, false, `ferry allocated codes for "auto" values and wrote them into release.toml, and the release failed for another reason: the codes stay the release's (reported only then)`},
	{ruleIDUnissued, Warning, false, false, "a UPC or ISRC lies in one of the label's own blocks but was never allocated, reserved or imported (a typo?)"},
	{ruleIDJournal, Error, true, false, "ferry's identifier journal (.ferry/ids under the root) could not be read or written"},
	{ruleArtistISNI, Warning, false, false, "an artist's ISNI differs from the one the artist registry (artists.toml) gives for the same name"},
	{ruleDate, Error, false, false, "a date is not a real calendar date written YYYY-MM-DD"},
	{ruleDateOrder, Error, false, false, "original_release_date after release_date, a deal's end_date before its start_date, or a preorder_date not before the deal's start"},
	{ruleDealEnded, Warning, false, false, "a deal's end_date has passed: the release is not on sale under it"},
	{ruleTerritory, Error, false, false, "a territory is not an ISO 3166-1 alpha-2 code or Worldwide, or Worldwide is mixed with countries"},
	{ruleExcludedTerritory, Error, false, false, "excluded_territories is used without territories = [\"Worldwide\"], or holds an unknown code"},
	{ruleCommercialModel, Error, false, false, "commercial_model is not a DDEX CommercialModelType"},
	{ruleUseType, Error, false, false, "a use type is not a DDEX UseType"},
	{ruleParentalWarning, Error, false, false, "parental_warning is not a DDEX ParentalWarningType"},
	{ruleReleaseType, Error, false, false, "type is not Album, Single, EP or Compilation"},
	{ruleReleaseTypeTracks, Warning, false, false, "a Single with more than 3 tracks, or an EP with more than 6 tracks or 30 minutes"},
	{ruleLanguage, Error, false, false, "language is not a BCP 47 language tag (en, fr, pt-BR)"},
	{ruleLine, Warning, false, false, "p_line or c_line is missing its year or text, or its year is in the future"},
	{ruleTrackNumber, Error, false, false, "two tracks have the same disc and number, or a disc or number is negative"},
	{ruleTrackNumbering, Warning, false, false, "track numbers do not run 1, 2, 3… on each disc, discs do not run 1, 2…, or tracks are listed out of order"},
	{ruleInstantGratification, Warning, false, false, "a track is marked instant_gratification but no deal has a preorder_date"},
	{ruleStyleCaps, Warning, false, false, "a title is written in ALL CAPS"},
	{ruleStyleFeaturing, Warning, false, false, `"feat." or "ft." outside brackets in a title`},
	{ruleStyleArtistInTitle, Warning, false, false, "a track title repeats the artist's name"},
	{ruleStyleWhitespace, Warning, false, false, "a title or name starts or ends with spaces or holds double spaces"},
	{ruleERNUnsupported, Error, true, false, "an ERN message describes what ferry does not deliver: a video, ringtone, long-form or boxed-set release"},
	{ruleERNLeftOut, Warning, false, false, "a part of an ERN message is left out: a resource outside the main release, another release, a video in an audio release"},
	{ruleERNDerived, Warning, false, false, "an ERN message gives no ReleaseDate: ferry uses the earliest deal start, else the OriginalReleaseDate"},
	{ruleTextControl, Error, true, false, "a text field holds a control character (U+0000–U+001F, U+007F–U+009F, tabs and line breaks included), a noncharacter (U+FFFE, U+FFFF) or an unpaired surrogate: DSPs would show U+FFFD instead"},
	{ruleNameLength, Error, true, false, "a name ferry makes from the release is longer than the 255 bytes a file name may have: the release folder's name with \".fanout\" or \"@<dsp>\" added, or a resource file name built from the label (ddex naming)"},
	{ruleArtworkDimensions, Error, true, false, "the cover's header claims more pixels than its bytes can hold (JPEG: one bit per 8×8 block; PNG: deflate expands at most 1032-fold): a decompression bomb or a damaged header"},
	{ruleDateYear, Error, true, false, "a date's year is before 1900 (1877, the first recording, for original_release_date): year 0000 does not exist in ERN's calendar and earlier years are typos"},
	{ruleTerritoryDuplicate, Warning, false, false, "a deal lists a territory more than once; ferry sends it once"},
	{rulePreset, Error, true, false, "preset names no [preset.NAME] of the configuration"},
	{ruleDealDSP, Error, true, false, "a deal's dsp names a DSP the release is not delivered to, or a DSP the release goes to gets no deal (every deal names other DSPs)"},
	{rulePrice, Error, false, false, "a deal's wholesale_price is not an amount with an ISO 4217 currency, or its price_tier is blank"},
	{ruleWindowOverlap, Error, false, true, "two deals a DSP gets offer the same use type under the same commercial model in a shared territory on overlapping days; or another release with the same ISRCs is live or being delivered at that DSP with such a deal (confirmable)"},
	{ruleConfirm, Error, true, false, "confirm names a rule that does not exist or cannot be confirmed"},
}

var checkByName = func() map[string]Check {
	m := make(map[string]Check, len(checks))
	for _, c := range checks {
		m[c.Name] = c
	}
	return m
}()

// Checks lists every validation rule, for documentation and for tools
// that check a configuration's severity overrides.
func Checks() []Check { return slices.Clone(checks) }

// severityFor is the severity rule gets under the overrides (rule name ->
// "error", "warning" or "off"); fixed rules keep their own.
func severityFor(rule string, overrides map[string]string) Severity {
	c, ok := checkByName[rule]
	if !ok {
		panic("stages: problem with unknown rule " + rule) // a programming error, caught by the tests
	}
	if c.Fixed {
		return c.Severity
	}
	switch o := Severity(strings.ToLower(strings.TrimSpace(overrides[rule]))); o {
	case Error, Warning, Off:
		return o
	}
	return c.Severity
}

// CheckSeverityOverrides reports overrides that name no rule or try to
// change a fixed rule, so a typo in the config does not silently leave a
// rule at its default. where prefixes each message (e.g. "rules.severity").
func CheckSeverityOverrides(where string, overrides map[string]string) error {
	var errs []string
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c, ok := checkByName[k]
		switch {
		case !ok:
			errs = append(errs, fmt.Sprintf("%s.%s: no validation rule is named %q (see the README's list of rules)", where, k, k))
		case c.Fixed:
			errs = append(errs, fmt.Sprintf("%s.%s: rule %q cannot be overridden: ferry cannot deliver a release that breaks it", where, k, k))
		default:
			switch Severity(strings.ToLower(strings.TrimSpace(overrides[k]))) {
			case Error, Warning, Off:
			default:
				errs = append(errs, fmt.Sprintf("%s.%s = %q: want error, warning or off", where, k, overrides[k]))
			}
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// SeverityOverrideIssues checks the rule names of every severity override
// in cfg ([rules.severity] and each [dsp.NAME.rules.severity]): a name
// that is no rule (with the nearest rule's name when one is close) or
// that names a fixed rule is an issue on its line. The values themselves
// are checked by config.Lint.
func SeverityOverrideIssues(cfg *config.Config) config.Issues {
	names := make([]string, 0, len(checks))
	for _, c := range checks {
		names = append(names, c.Name)
	}
	var is config.Issues
	check := func(where string, overrides map[string]string) {
		keys := make([]string, 0, len(overrides))
		for k := range overrides {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			key := config.Path(where, k)
			c, ok := checkByName[k]
			switch {
			case !ok:
				msg := "no validation rule has this name (see the README's list of rules)"
				if s := config.Nearest(k, names); s != "" {
					msg = fmt.Sprintf("no validation rule has this name (did you mean %q?)", s)
				}
				is = append(is, config.Issue{Kind: config.UnknownKey, Line: cfg.Line(key), Key: key, Msg: msg})
			case c.Fixed:
				is = append(is, config.Issue{Kind: config.BadValue, Line: cfg.Line(key), Key: key,
					Msg: fmt.Sprintf("rule %q cannot be overridden: ferry cannot deliver a release that breaks it", k)})
			}
		}
	}
	check("rules.severity", cfg.Rules.Severity)
	for _, name := range cfg.DSPNames() {
		check(config.Path("dsp", name)+".rules.severity", cfg.DSP[name].Rules.Severity)
	}
	return is
}

// RuleSeverity is the severity rule has under a DSP's overrides
// (config.Rules.Severity): for the checks run outside validation, such
// as window-overlap against the ledger at fan-out.
func RuleSeverity(rule string, overrides map[string]string) Severity {
	return severityFor(rule, overrides)
}
