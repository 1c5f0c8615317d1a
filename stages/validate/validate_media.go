package validate

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/stages/media"
)

// WAV format codes the messages name.
const (
	wavPCM        = 0x0001
	wavADPCM      = 0x0002
	wavFloat      = 0x0003
	wavALaw       = 0x0006
	wavMuLaw      = 0x0007
	wavIMAADPCM   = 0x0011
	wavMP3        = 0x0055
	wavExtensible = 0xFFFE
)

// Minimum audio quality every DSP asks for (CD quality).
const (
	minSampleRate = 44100
	minBits       = 16
)

// readAudio reads a track's header; a failure is a problem naming the
// file, with what to do about it.
func readAudio(f *folder, name, where string, r *resolved) (*Problem, media.AudioInfo) {
	info, err := media.ReadAudio(filepath.Join(f.root, r.rel))
	if err != nil {
		return mediaProblem(name, where, err, ruleAudioHeader, ruleAudioUnsupported,
			"export or copy the file again from the master: it is incomplete or damaged",
			"deliver the master as WAV (PCM) or FLAC"), info
	}
	return nil, info
}

// readImage reads the cover's header.
func readImage(f *folder, name, where string, r *resolved) (*Problem, media.ImageInfo) {
	info, err := media.ReadImage(filepath.Join(f.root, r.rel))
	if err != nil {
		return mediaProblem(name, where, err, ruleArtworkHeader, ruleArtworkUnsupported,
			"export or copy the cover again: it is incomplete or damaged",
			"export the cover as JPEG or PNG (RGB)"), info
	}
	return nil, info
}

// mediaProblem classifies a media reader error into a rule.
func mediaProblem(name, where string, err error, headerRule, unsupportedRule, headerFix, unsupportedFix string) *Problem {
	p := &Problem{Where: where, What: fmt.Sprintf("%q: %v", name, err)}
	switch {
	case errors.Is(err, media.ErrBeyondData):
		p.Rule, p.Fix = ruleArtworkDimensions, "export the cover again from the original artwork: its header is damaged or forged"
	case errors.Is(err, media.ErrUnsupported):
		p.Rule, p.Fix = unsupportedRule, unsupportedFix
	case errors.Is(err, media.ErrTruncated), errors.Is(err, media.ErrCorrupt):
		p.Rule, p.Fix = headerRule, headerFix
	case errors.Is(err, media.ErrNotRegular):
		p.Rule, p.Fix = ruleFileNotRegular, "replace it with the real file, or correct the name in release.toml"
	case errors.Is(err, fs.ErrNotExist):
		p.Rule, p.Fix = ruleFileMissing, "the file disappeared while it was being checked: copy it again"
	default: // permission, I/O
		fp := openProblem(name, err)
		p.Rule, p.What, p.Fix = fp.rule, fp.what, fp.fix
	}
	return p
}

// checkAudio checks what every DSP asks of an audio file.
func (c *checker) checkAudio() {
	for i := range c.rf.Tracks {
		a := c.rel.audio[i]
		if a == nil {
			continue
		}
		info, name := a.info, a.name
		switch {
		case !info.IsPCM():
			c.add(ruleAudioPCM, a.where, fmt.Sprintf("%q holds %s, not integer PCM", name, wavCodecName(info)),
				"export the master as 16- or 24-bit integer PCM WAV, or FLAC")
		case info.Frames == 0:
			c.add(ruleAudioEmpty, a.where, fmt.Sprintf("%q holds no audio (0 samples)", name),
				"export the track again")
		case info.SampleRate < minSampleRate || info.BitsPerSample < minBits:
			c.add(ruleAudioQuality, a.where,
				fmt.Sprintf("%q is %s / %d-bit; DSPs need at least 44.1 kHz / 16-bit", name, kHz(info.SampleRate), info.BitsPerSample),
				"export the track again from the master at 44.1 kHz / 16-bit or better (do not upsample a lossy file)")
		}
		if info.Channels > 2 {
			c.add(ruleAudioChannels, a.where, fmt.Sprintf("%q has %d channels; stereo deliveries take 1 or 2", name, info.Channels),
				"deliver a stereo mix; immersive (surround, Atmos) audio goes as a separate resource")
		}
		if want := extensionsFor(info.Format); !slices.Contains(want, strings.ToLower(filepath.Ext(name))) {
			c.add(ruleAudioExtension, a.where, fmt.Sprintf("%q is a %s file but its name ends in %q", name, info.Format, filepath.Ext(name)),
				fmt.Sprintf("rename it to end in %s (and change release.toml)", want[0]))
		}
	}
}

// checkArtwork checks what every DSP asks of the cover.
func (c *checker) checkArtwork() {
	img := c.rel.cover
	if img == nil {
		return
	}
	info, name := img.info, img.name
	if info.Width != info.Height {
		c.add(ruleArtworkSquare, img.where, fmt.Sprintf("%q is %d×%d px; covers must be square", name, info.Width, info.Height),
			"crop or extend the cover to a square, e.g. 3000×3000 px")
	}
	if !info.IsRGB() {
		what := map[string]string{
			"CMYK":     "uses CMYK (print) colours",
			"Gray":     "is greyscale",
			"Paletted": "uses a colour palette (indexed colour)",
		}[info.ColorModel]
		if what == "" {
			what = "uses the " + info.ColorModel + " colour model"
		}
		c.add(ruleArtworkColor, img.where, fmt.Sprintf("%q %s; DSPs take RGB only", name, what),
			"export the cover again in RGB colour (sRGB), e.g. as a JPEG")
	}
	if info.Alpha {
		c.add(ruleArtworkAlpha, img.where, fmt.Sprintf("%q has transparency (an alpha channel); DSPs show it on varying backgrounds or refuse it", name),
			"export the cover without transparency (flatten it onto its background)")
	}
	if want := extensionsFor(info.Format); !slices.Contains(want, strings.ToLower(filepath.Ext(name))) {
		c.add(ruleArtworkExtension, img.where, fmt.Sprintf("%q is a %s file but its name ends in %q", name, info.Format, filepath.Ext(name)),
			fmt.Sprintf("rename it to end in %s (and change release.toml)", want[0]))
	}
}

// dspChecks are the checks that read a DSP's rules.
func (rel *Release) dspChecks(r config.Rules) Problems {
	var ps Problems
	add := func(rule, where, what, fix string) {
		ps = append(ps, Problem{Rule: rule, Where: where, What: what, Fix: fix})
	}
	for i := range rel.file.Tracks {
		a := rel.audio[i]
		if a == nil {
			continue
		}
		if !slices.ContainsFunc(r.AudioFormats, func(f string) bool { return strings.EqualFold(f, a.info.Format) }) {
			add(ruleAudioFormat, a.where, fmt.Sprintf("%q is %s; this DSP takes %s only", a.name, a.info.Format, strings.Join(r.AudioFormats, " or ")),
				"deliver the track as "+strings.Join(r.AudioFormats, " or "))
		}
		if a.info.FormatTag == wavExtensible && !*r.AllowExtensible {
			add(ruleAudioExtensible, a.where, fmt.Sprintf("%q is a WAVE_FORMAT_EXTENSIBLE WAV, which this DSP refuses", a.name),
				"export it as a plain PCM WAV (format 1; most editors call it \"WAV\" rather than \"WAV (extensible)\" or \"BWF\"), or as FLAC")
		}
	}
	if img := rel.cover; img != nil {
		if side := min(img.info.Width, img.info.Height); side < r.MinArtworkPx {
			add(ruleArtworkSize, img.where, fmt.Sprintf("%q is %d×%d px; this DSP needs at least %d×%d px", img.name, img.info.Width, img.info.Height, r.MinArtworkPx, r.MinArtworkPx),
				fmt.Sprintf("export the cover from its original at %d×%d px or more (do not upscale a small image)", r.MinArtworkPx, r.MinArtworkPx))
		}
		if size := img.res.info.Size(); r.MaxArtworkBytes > 0 && size > r.MaxArtworkBytes {
			add(ruleArtworkBytes, img.where, fmt.Sprintf("%q is %s; this DSP takes at most %s", img.name, byteSize(size), byteSize(r.MaxArtworkBytes)),
				"export the cover as a JPEG of good quality (a 3000×3000 px JPEG is usually 1 to 5 MB)")
		}
	}
	return ps
}

func extensionsFor(format string) []string {
	switch format {
	case "WAV":
		return []string{".wav", ".wave", ".bwf"}
	case "FLAC":
		return []string{".flac"}
	case "JPEG":
		return []string{".jpg", ".jpeg"}
	case "PNG":
		return []string{".png"}
	}
	return []string{"." + strings.ToLower(format)}
}

// wavCodecName says what a non-PCM WAV holds.
func wavCodecName(info media.AudioInfo) string {
	tag := info.FormatTag
	if tag == wavExtensible {
		tag = info.SubFormat
	}
	switch tag {
	case wavFloat:
		return fmt.Sprintf("%d-bit floating-point samples", info.BitsPerSample)
	case wavADPCM, wavIMAADPCM:
		return "ADPCM-compressed audio"
	case wavALaw, wavMuLaw:
		return "telephone-quality (A-law/µ-law) audio"
	case wavMP3:
		return "MP3 audio inside a WAV"
	}
	return fmt.Sprintf("compressed or unknown audio (WAV format code 0x%04X)", tag)
}

func kHz(rate int) string {
	if rate%1000 == 0 {
		return fmt.Sprintf("%d kHz", rate/1000)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", float64(rate)/1000), "0"), ".") + " kHz"
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<20)), ".0") + " MB"
	case n >= 1<<10:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<10)), ".0") + " KB"
	}
	return fmt.Sprintf("%d bytes", n)
}
