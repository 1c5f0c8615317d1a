package record

import (
	"path"
	"time"

	"github.com/ferrydelivery/ferry/ern"
)

// Roles of the files of a delivery, uploaded in this order.
const (
	RoleResource = "resource"
	RoleMessage  = "message"
	RoleManifest = "manifest"
)

// Delivery describes one packaged delivery instance: the message it
// carries and the files to upload, resources first, message after,
// manifest last.
type Delivery struct {
	DSP        string    `json:"dsp"`
	Kind       string    `json:"kind"`
	MessageID  string    `json:"message_id"`
	ReleaseID  string    `json:"release_id"` // what acknowledgements name: GRid or ICPN
	UPC        string    `json:"upc"`
	ERNVersion string    `json:"ern_version"`
	Folder     string    `json:"folder"` // remote delivery folder (the batch folder in a batch)
	BatchID    string    `json:"batch_id,omitempty"`
	Created    time.Time `json:"created"`
	// Title, Artist and ISRCs say what the release is, for the catalogue.
	Title  string          `json:"title,omitempty"`
	Artist string          `json:"artist,omitempty"`
	ISRCs  []string        `json:"isrcs,omitempty"`
	Files  []DeliveredFile `json:"files"`
	// Drop and Attempt say what triggered the delivery, for the audit:
	// the folder dropped (its name) and which time it was taken.
	Drop    string `json:"drop,omitempty"`
	Attempt int    `json:"attempt,omitempty"`
	// Release is the release as the message described it, so that a
	// later takedown, restore or full redelivery can describe it again
	// from the ledger alone.
	Release *ern.Release `json:"release,omitempty"`
}

// DeliveredFile is one file of a delivery.
type DeliveredFile struct {
	Role string `json:"role"`
	// Resource identifies what the file is across deliveries: "audio:<ISRC>"
	// or "cover". Updates compare resources by it.
	Resource string `json:"resource,omitempty"`
	Package  string `json:"package"` // slash path inside .ferry/package
	Remote   string `json:"remote"`  // slash path relative to the DSP's folder
	Size     int64  `json:"size"`
	BLAKE3   string `json:"blake3,omitempty"`
	HashSum  string `json:"hashsum,omitempty"`
	// Provided is false for a file described in the message but not sent
	// again, because the DSP already has it.
	Provided bool `json:"provided"`
}

// ReleaseDir is the release's folder inside the delivery: the delivery
// folder itself release by release, <ReleaseId>/ inside a batch.
func (d *Delivery) ReleaseDir() string {
	if d.BatchID != "" {
		return path.Join(d.Folder, d.ReleaseID)
	}
	return d.Folder
}

// ItemDir is the sub-folder of every item that ferry owns.
const ItemDir = ".ferry"

// PackageDir is the folder inside ItemDir holding the exact tree uploaded.
const PackageDir = "package"

// Files ferry keeps inside an item's ItemDir.
const (
	DeliveryFile = "delivery.json"  // what to upload, in order
	UploadedFile = "uploaded.jsonl" // what is already on the server, a sealed line per file
)
