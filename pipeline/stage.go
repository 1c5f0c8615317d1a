// Package pipeline is ferry's engine: stage folders under a root, one
// worker pool per stage reading a bounded channel, every transition one
// rename, recovery of every item found on disk at start, and metrics.
package pipeline

import (
	"os"
	"path/filepath"

	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/record"
)

// Stage is a stage folder; an item is in exactly one at any instant.
type Stage string

// The stage folders, in order.
const (
	Inbox        Stage = "inbox"
	Validated    Stage = "validated"
	Packaged     Stage = "packaged"
	Uploaded     Stage = "uploaded"
	Acknowledged Stage = "acknowledged"
	Failed       Stage = "failed"
)

// Stages lists every stage folder.
var Stages = []Stage{Inbox, Validated, Packaged, Uploaded, Acknowledged, Failed}

// workStages are the stages whose items wait for a worker.
var workStages = []Stage{Inbox, Validated, Packaged, Uploaded}

// claimsDir is the hidden folder inside each stage where a daemon keeps
// the items it is working on: <stage>/.claimed/<node>/<item>. The item is
// still in its stage; the rename into it is what makes the claim.
const claimsDir = ".claimed"

// Layout resolves folders under a root.
type Layout struct{ Root string }

// Dir is a stage folder.
func (l Layout) Dir(s Stage) string { return filepath.Join(l.Root, string(s)) }

// State is a path under <root>/.ferry.
func (l Layout) State(parts ...string) string {
	return filepath.Join(append([]string{l.Root, record.RootDir}, parts...)...)
}

// ClaimDir is where node keeps the items of stage s it works on.
func (l Layout) ClaimDir(s Stage, node string) string {
	return filepath.Join(l.Dir(s), claimsDir, node)
}

// Create makes every stage folder and the state folder.
func (l Layout) Create() error {
	for _, s := range Stages {
		if err := os.MkdirAll(l.Dir(s), files.DirPerm); err != nil {
			return err
		}
	}
	return os.MkdirAll(l.State(), files.DirPerm)
}

// Items lists the items waiting in a stage folder (not the claimed ones).
func (l Layout) Items(s Stage) ([]string, error) { return l.itemsIn(l.Dir(s)) }

func (l Layout) itemsIn(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !hidden(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

func hidden(name string) bool { return len(name) > 0 && name[0] == '.' }
