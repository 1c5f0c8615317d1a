package delivery

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/digest"
	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate"
)

// HashFunc returns a file's BLAKE3 (ferry's content identity) and its
// HashSum in the DSP's algorithm, computed in one read.
type HashFunc func(ctx context.Context, path, algorithm string) (blake3, hashsum string, err error)

// Packager builds delivery instances.
type Packager struct {
	Sender ern.Party
	Hash   HashFunc
	Now    func() time.Time
	// Location is the zone takedown_at is read in ([lifecycle]
	// timezone); nil: UTC.
	Location *time.Location
}

// Package lays out the delivery of rel for dsp in pkgRoot (the item's
// package folder, see record.Item.PackageDir): the resources per the
// DSP's choreography and the ERN message, and returns the delivery for
// the caller to record. Re-running it replaces what an earlier run wrote.
func (p *Packager) Package(ctx context.Context, pkgRoot string, rel *validate.Release, dspName string, dsp *config.DSP, prior Prior) (*record.Delivery, error) {
	plan, err := p.Plan(ctx, rel, dspName, dsp, prior)
	if err != nil {
		return nil, err
	}
	d := plan.Delivery
	if err := os.RemoveAll(pkgRoot); err != nil {
		return nil, fmt.Errorf("clear old package: %w", err)
	}
	for pkgPath, src := range plan.Sources {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := files.LinkOrCopy(src, filepath.Join(pkgRoot, filepath.FromSlash(pkgPath))); err != nil {
			return nil, fmt.Errorf("package %s: %w", filepath.Base(src), err)
		}
	}
	var buf bytes.Buffer
	if err := ern.WriteWith(&buf, plan.Version, plan.Message, ern.Options{AvsVersionID: dsp.AVSVersionID}); err != nil {
		return nil, Permanent(fmt.Errorf("write ERN %s: %w", plan.Version, err))
	}
	xmlPath := path.Join(d.ReleaseDir(), d.ReleaseID+".xml")
	sum, err := writePackageFile(pkgRoot, d, record.RoleMessage, xmlPath, buf.Bytes(), dsp.Hash)
	if err != nil {
		return nil, err
	}
	if d.BatchID != "" {
		var mb bytes.Buffer
		if err := ern.WriteManifest(&mb, batchManifest(plan, rel, dsp, sum)); err != nil {
			return nil, Permanent(fmt.Errorf("write the batch manifest: %w", err))
		}
		if _, err := writePackageFile(pkgRoot, d, record.RoleManifest, path.Join(d.Folder, ern.ManifestFileName(d.BatchID)), mb.Bytes(), dsp.Hash); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// writePackageFile writes a file ferry generates (message, manifest) into
// the package and lists it in the delivery; it returns its HashSum.
func writePackageFile(pkgRoot string, d *record.Delivery, role, pkgPath string, data []byte, algorithm string) (string, error) {
	p := filepath.Join(pkgRoot, filepath.FromSlash(pkgPath))
	if err := os.MkdirAll(filepath.Dir(p), files.DirPerm); err != nil {
		return "", err
	}
	if err := files.WriteFileAtomic(p, data, files.FilePerm); err != nil {
		return "", err
	}
	sums, err := digest.Bytes(data, algorithm)
	if err != nil {
		return "", Permanent(err)
	}
	d.Files = append(d.Files, record.DeliveredFile{Role: role, Package: pkgPath, Remote: pkgPath,
		Size: sums.Size, BLAKE3: sums.BLAKE3, HashSum: sums.HashSum, Provided: true})
	return sums.HashSum, nil
}

// batchManifest describes a batch of one release.
func batchManifest(plan *Plan, rel *validate.Release, dsp *config.DSP, messageSum string) *ern.Manifest {
	d := plan.Delivery
	delivery := ern.DeliveryNewRelease
	switch plan.Message.Kind {
	case ern.Update:
		delivery = ern.DeliveryRedelivery
	case ern.Takedown:
		delivery = ern.DeliveryTakedown
	}
	return &ern.Manifest{
		Sender:        plan.Message.Header.Sender,
		Recipient:     plan.Message.Header.Recipient,
		Created:       d.Created,
		Test:          dsp.Test,
		RootDirectory: d.Folder,
		Messages: []ern.BatchMessage{{
			MessageID:     d.MessageID,
			URL:           path.Join(d.ReleaseID, d.ReleaseID+".xml"),
			Releases:      []ern.ReleaseRef{{GRid: rel.Model.GRid, ICPN: rel.Model.UPC}},
			DeliveryType:  delivery,
			HashAlgorithm: dsp.Hash,
			Hash:          messageSum,
		}},
	}
}

var unsafeNameChars = regexp.MustCompile(`[^A-Za-z0-9]+`)

// ResourceName names a resource file in the package per the DSP's
// naming. track is the track index, or -1 for the cover.
//
//   - "upc":  <UPC>_<disc>_<track>.<ext> and <UPC>.<ext> for the cover;
//   - "ddex": <Label>_<ReleaseId>_<TechnicalResourceId>_<ResourceType>_<Hierarchy>.<ext>
//     (ERN choreography 1.8.1 §5.3), e.g. ExampleRecords_5901234123457_T1_SoundRecording_01-01.wav.
func ResourceName(naming string, r *ern.Release, releaseID string, track int, userName string) string {
	ext := strings.ToLower(filepath.Ext(userName))
	if naming == "upc" {
		if track < 0 {
			return r.UPC + ext
		}
		t := r.Tracks[track]
		return fmt.Sprintf("%s_%02d_%02d%s", r.UPC, t.Disc, t.Number, ext)
	}
	label := unsafeNameChars.ReplaceAllString(r.Label, "")
	if label == "" {
		label = "Label"
	}
	if track < 0 {
		return fmt.Sprintf("%s_%s_T%d_Image_FrontCover%s", label, releaseID, len(r.Tracks)+1, ext)
	}
	t := r.Tracks[track]
	return fmt.Sprintf("%s_%s_T%d_SoundRecording_%02d-%02d%s", label, releaseID, track+1, t.Disc, t.Number, ext)
}
