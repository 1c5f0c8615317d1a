package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/stages/record"
	"github.com/ferrydelivery/ferry/stages/validate"
)

// Plan is a delivery worked out but not yet written: the message, and
// for each resource the user's file it comes from.
type Plan struct {
	Delivery *record.Delivery
	Message  *ern.Message
	Version  ern.Version
	// Sources maps the package path of each resource sent to its file in
	// the release folder.
	Sources map[string]string
}

// Prior is what ferry already knows about this release at this DSP.
type Prior struct {
	// Delivered is the last delivery the DSP acknowledged (the ledger);
	// nil for a first delivery.
	Delivered *record.Delivery
	// Attempt is this instance's previous, unacknowledged attempt (a
	// retry): its remote folder is reused so that files already uploaded
	// are not sent again.
	Attempt *record.Delivery
}

// Plan works out the delivery of rel for dsp: names per the DSP's
// profile, hashes in its algorithm, the message in its ERN version, and,
// when the DSP already has the release, which resources to send again by
// DDEX Release Profiles rule 12 (see Resend). It reads files (through the
// hash cache) and writes nothing.
func (p *Packager) Plan(ctx context.Context, rel *validate.Release, dspName string, dsp *config.DSP, prior Prior) (*Plan, error) {
	version, err := ern.ParseVersion(dsp.ERNVersion)
	if err != nil {
		return nil, Permanent(err)
	}
	now := p.Now().UTC()
	model := *rel.Model
	model.Deals = rel.DealsFor(dspName) // the DSP's own deals, when release.toml or its preset gives any
	releaseID := rel.ID()
	stamp := now.Format("20060102150405") + fmt.Sprintf("%03d", now.Nanosecond()/1e6)
	kind := ern.NewRelease
	restoring := rel.Action == validate.ActionRestore // describe the files the DSP kept, send none
	switch {
	case rel.Action == validate.ActionTakedown && windowed(rel, p.Location):
		// A scheduled or partial takedown is an update whose deals end: on
		// takedown_at, in the territories named.
		if prior.Delivered == nil || prior.Delivered.Release == nil {
			return nil, Permanent(fmt.Errorf("nothing to take down at %s: ferry has no delivery of %s there in its ledger", dspName, releaseID))
		}
		if !version.HasProvidedFlag() {
			return nil, Permanent(fmt.Errorf("ERN %s cannot change deals without sending the files again: for a scheduled or partial takedown at %s, drop the whole release folder with the deals' end_date set", version, dspName))
		}
		kind = ern.Update
		model = *prior.Delivered.Release
		at, territories, _ := rel.TakedownWindow(p.Location)
		model.Deals = withdraw(model.Deals, territories, lastDayOnSale(at, now))
		restoring = true
	case rel.Action == validate.ActionTakedown:
		kind = ern.Takedown
		// A takedown folder names the release by its UPC alone: the
		// message describes it as the DSP last accepted it.
		if prior.Delivered != nil && prior.Delivered.Release != nil {
			sent := *prior.Delivered.Release
			sent.Deals = model.Deals
			model = sent
		}
	case rel.Action == validate.ActionPurge:
		kind = ern.Purge
		if prior.Delivered != nil && prior.Delivered.Release != nil {
			model = *prior.Delivered.Release
		}
	case rel.Action == validate.ActionRestore:
		// A restore folder names the release by its UPC alone: an update
		// describing it as the DSP last accepted it, sending no file.
		if prior.Delivered == nil || prior.Delivered.Release == nil {
			return nil, Permanent(fmt.Errorf("nothing to restore at %s: ferry has no delivery of %s there in its ledger", dspName, releaseID))
		}
		if !version.HasProvidedFlag() {
			return nil, Permanent(fmt.Errorf("ERN %s cannot describe files without sending them: to restore %s at %s, drop the whole release folder with action = \"redeliver\"", version, releaseID, dspName))
		}
		kind = ern.Update
		model = *prior.Delivered.Release
	case prior.Delivered != nil:
		kind = ern.Update
	}
	var isrcs []string
	for _, t := range model.Tracks {
		isrcs = append(isrcs, t.ISRC)
	}
	d := &record.Delivery{
		Title:      model.Title,
		Artist:     model.DisplayArtist,
		ISRCs:      isrcs,
		DSP:        dspName,
		Kind:       kind.String(),
		MessageID:  fmt.Sprintf("FERRY-%s-%s", model.UPC, stamp),
		ReleaseID:  releaseID,
		UPC:        model.UPC,
		ERNVersion: string(version),
		Folder:     fmt.Sprintf("%s_%s_%s", dsp.Priority, releaseID, stamp),
		Created:    now,
	}
	if dsp.Profile == config.ProfileBatch {
		// A batch of one release: <P|M|N>_<BatchId>/<ReleaseId>/…, with
		// BatchComplete_<BatchId>.xml at the root, uploaded last.
		d.Folder = fmt.Sprintf("%s_%s", dsp.Priority, stamp)
		d.BatchID = stamp
	}
	if a := prior.Attempt; a != nil && a.Stamp() != "" && rel.Action != validate.ActionRedeliver {
		// A retry goes into the remote folder of the attempt before it, so
		// that files already there are not sent again. The folder is
		// computed again from its timestamp, never taken from the record.
		stamp = a.Stamp()
		d.Folder = fmt.Sprintf("%s_%s_%s", dsp.Priority, releaseID, stamp)
		if dsp.Profile == config.ProfileBatch {
			d.Folder, d.BatchID = fmt.Sprintf("%s_%s", dsp.Priority, stamp), stamp
		}
	}
	plan := &Plan{Delivery: d, Version: version, Sources: map[string]string{}}
	resDir := path.Join(d.ReleaseDir(), "resources")
	if restoring {
		restoreFiles(&model, prior.Delivered, d, resDir)
	} else if kind != ern.Takedown && kind != ern.Purge {
		var files []*ern.File
		hash := p.hashAll(ctx, rel, dsp.Hash)
		add := func(resource, userName, remoteName string, f *ern.File) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			src := filepath.Join(rel.Dir, rel.Files[userName])
			blake, sum, err := hash(src)
			if err != nil {
				return fmt.Errorf("hash %s: %w", userName, err)
			}
			fi, err := os.Stat(src)
			if err != nil {
				return err
			}
			pkgPath := path.Join(resDir, remoteName)
			plan.Sources[pkgPath] = src
			*f = ern.File{Name: remoteName, Path: "resources/", Size: fi.Size(), HashAlgorithm: dsp.Hash, Hash: sum, Provided: true}
			files = append(files, f)
			d.Files = append(d.Files, record.DeliveredFile{Role: record.RoleResource, Resource: resource, Package: pkgPath, Remote: pkgPath,
				Size: fi.Size(), BLAKE3: blake, HashSum: sum, Provided: true})
			return nil
		}
		model.Tracks = append([]ern.Track(nil), model.Tracks...)
		for i := range model.Tracks {
			t := &model.Tracks[i]
			name := ResourceName(dsp.Naming, &model, releaseID, i, t.Audio.File.Name)
			if err := add(audioResource(t.ISRC), t.Audio.File.Name, name, &t.Audio.File); err != nil {
				return nil, err
			}
		}
		if model.Cover != nil {
			cover := *model.Cover
			name := ResourceName(dsp.Naming, &model, releaseID, -1, cover.File.Name)
			if err := add(coverResource, cover.File.Name, name, &cover.File); err != nil {
				return nil, err
			}
			model.Cover = &cover
		}
		// A full redelivery sends every file; an update only what rule 12
		// says.
		if kind == ern.Update && version.HasProvidedFlag() && rel.Action != validate.ActionRedeliver {
			resend := Resend(prior.Delivered, d.Files)
			for i := range d.Files {
				if !resend[d.Files[i].Resource] {
					d.Files[i].Provided = false
					files[i].Provided = false
					delete(plan.Sources, d.Files[i].Package)
				}
			}
		}
	}
	d.Release = &model
	plan.Message = &ern.Message{
		Header: ern.Header{
			ThreadID:  model.UPC,
			MessageID: d.MessageID,
			Sender:    p.Sender,
			Recipient: ern.Party{DPID: dsp.DPID, Name: dsp.Name},
			Created:   now,
			Test:      dsp.Test,
		},
		Kind:    kind,
		Release: &model,
	}
	return plan, nil
}

// windowed reports whether a takedown is scheduled or partial.
func windowed(rel *validate.Release, loc *time.Location) bool {
	at, territories, err := rel.TakedownWindow(loc)
	return err == nil && (!at.IsZero() || len(territories) > 0)
}

// Unchanged reports whether this update would tell the DSP nothing it
// has not got from delivered: no file to send, and the release described
// exactly as then (files, deals, metadata).
func (p *Plan) Unchanged(delivered *record.Delivery) bool {
	if delivered == nil || delivered.Release == nil || p.Message.Kind != ern.Update {
		return false
	}
	for _, f := range p.Delivery.Files {
		if f.Role == record.RoleResource && f.Provided {
			return false
		}
	}
	return sameRelease(p.Message.Release, delivered.Release)
}

// sameRelease compares two descriptions of a release, whether or not
// their files were provided in the message that carried them.
func sameRelease(a, b *ern.Release) bool {
	norm := func(r *ern.Release) []byte {
		c := *r
		c.Tracks = append([]ern.Track(nil), r.Tracks...)
		for i := range c.Tracks {
			c.Tracks[i].Audio.File.Provided = true
		}
		if r.Cover != nil {
			cover := *r.Cover
			cover.File.Provided = true
			c.Cover = &cover
		}
		b, _ := json.Marshal(&c)
		return b
	}
	return bytes.Equal(norm(a), norm(b))
}

// restoreFiles describes, in model and d, the files the DSP kept from
// the delivery it last accepted, as not provided: a restore sends none.
func restoreFiles(model *ern.Release, delivered *record.Delivery, d *record.Delivery, resDir string) {
	kept := map[string]record.DeliveredFile{}
	for _, f := range delivered.Files {
		if f.Role == record.RoleResource {
			kept[f.Resource] = f
		}
	}
	describe := func(resource string, f *ern.File) {
		f.Provided = false
		pkgPath := path.Join(resDir, path.Base(f.Name))
		k := kept[resource]
		d.Files = append(d.Files, record.DeliveredFile{Role: record.RoleResource, Resource: resource, Package: pkgPath, Remote: pkgPath,
			Size: f.Size, BLAKE3: k.BLAKE3, HashSum: f.Hash, Provided: false})
	}
	model.Tracks = append([]ern.Track(nil), model.Tracks...)
	for i := range model.Tracks {
		describe(audioResource(model.Tracks[i].ISRC), &model.Tracks[i].Audio.File)
	}
	if model.Cover != nil {
		cover := *model.Cover
		describe(coverResource, &cover.File)
		model.Cover = &cover
	}
}

// Resource identities.
const coverResource = "cover"

func audioResource(isrc string) string { return "audio:" + isrc }

func isPrimary(resource string) bool { return resource != coverResource }

// Resend decides which resources an update sends, by DDEX Release
// Profiles rule 12:
//   - a changed primary resource (audio) means every primary resource is
//     sent again (ferry's releases have one SoundRecording type);
//   - a changed secondary resource (the cover) means every secondary one is;
//   - a resource the DSP does not have (a track added) is sent;
//   - anything else is described with IsProvidedInDelivery=false and not
//     sent: a metadata-only change sends the message alone.
func Resend(delivered *record.Delivery, files []record.DeliveredFile) map[string]bool {
	had := map[string]string{}
	for _, f := range delivered.Files {
		if f.Role == record.RoleResource {
			had[f.Resource] = f.BLAKE3
		}
	}
	changedPrimary, changedSecondary := false, false
	resend := map[string]bool{}
	for _, f := range files {
		old, ok := had[f.Resource]
		switch {
		case !ok:
			resend[f.Resource] = true
		case old != f.BLAKE3 && isPrimary(f.Resource):
			changedPrimary = true
		case old != f.BLAKE3:
			changedSecondary = true
		}
	}
	for _, f := range files {
		if isPrimary(f.Resource) && changedPrimary || !isPrimary(f.Resource) && changedSecondary {
			resend[f.Resource] = true
		}
	}
	return resend
}
