package record

import (
	"cmp"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// The catalogue is what every DSP has of every release ferry delivered:
// the ledger's entries (the last accepted delivery) and, beside each, the
// history of the messages the DSP accepted, one line each. It is plain
// files, rebuilt by reading them: no database, and correct with several
// daemons, since each entry is written whole (atomic rename) and each
// history line appended with O_APPEND.

// Platform states of a release at one DSP: what its last accepted
// message left (live, taken-down, purged), or what became of a later
// message that was not accepted (delivering, rejected, failed).
const (
	StateLive       = "live"
	StateTakenDown  = "taken-down"
	StatePurged     = "purged"
	StateDelivering = "delivering"
	StateRejected   = "rejected"
	StateFailed     = "failed"
)

// MessageLine is one accepted message in a release's history at a DSP.
type MessageLine struct {
	Time       time.Time `json:"time"`
	MessageID  string    `json:"message_id"`
	Kind       string    `json:"kind"`
	ERNVersion string    `json:"ern_version"`
	Node       string    `json:"node,omitempty"`
	// Drop is the folder whose drop sent the message, Attempt which time
	// it was taken: who or what triggered it.
	Drop    string `json:"drop,omitempty"`
	Attempt int    `json:"attempt,omitempty"`
}

// Platform is one release at one DSP.
type Platform struct {
	DSP   string      `json:"dsp"`
	State string      `json:"state"`
	Last  MessageLine `json:"last_message"`
	// Accepted is what the DSP's last accepted message left (live,
	// taken-down, purged) when State is about a later message (being
	// delivered, rejected or failed); empty when it is the same as State,
	// or the DSP accepted none.
	Accepted string        `json:"accepted_state,omitempty"`
	Messages []MessageLine `json:"messages,omitempty"`
	// Deals are the deal windows of the DSP's last accepted message: what
	// is on sale there, where and when (with the history).
	Deals []DealWindow `json:"deals,omitempty"`
}

// DealWindow is one deal a DSP accepted: the territories, the offer and
// its dates.
type DealWindow struct {
	Territories     []string `json:"territories"`
	Excluded        []string `json:"excluded_territories,omitempty"`
	CommercialModel string   `json:"commercial_model"`
	UseTypes        []string `json:"use_types"`
	Start           string   `json:"start_date,omitempty"`
	End             string   `json:"end_date,omitempty"`
	PreOrder        string   `json:"preorder_date,omitempty"`
}

// dealWindows reads the deals of the last message dsp accepted of
// release, from its ledger entry.
func (r *Root) dealWindows(dsp, release string) []DealWindow {
	d, err := r.Delivered(dsp, release)
	if err != nil || d.Release == nil {
		return nil
	}
	var out []DealWindow
	for _, deal := range d.Release.Deals {
		out = append(out, DealWindow{Territories: deal.Territories, Excluded: deal.ExcludedTerritories, CommercialModel: deal.CommercialModel,
			UseTypes: deal.UseTypes, Start: deal.StartDate, End: deal.EndDate, PreOrder: deal.PreOrderDate})
	}
	return out
}

// OnSale is whether the release is live at the DSP, whatever became of
// a later message.
func (p *Platform) OnSale() bool { return p.State == StateLive || p.Accepted == StateLive }

// CatalogueRelease is one release with its state at every DSP that has
// it.
type CatalogueRelease struct {
	ReleaseID string     `json:"release_id"`
	UPC       string     `json:"upc"`
	Title     string     `json:"title,omitempty"`
	Artist    string     `json:"artist,omitempty"`
	ISRCs     []string   `json:"isrcs,omitempty"`
	Platforms []Platform `json:"platforms"`
}

// Summary is the release-level state: how many DSPs have it live, and
// how many have a message being delivered, rejected or failed ("live on
// 5 of 6, 1 failed").
func (c *CatalogueRelease) Summary() string {
	live := 0
	pending := map[string]int{}
	for _, p := range c.Platforms {
		if p.OnSale() {
			live++
		}
		if outcome(p.State) {
			pending[p.State]++
		}
	}
	out := fmt.Sprintf("live on %d of %d", live, len(c.Platforms))
	for _, s := range []string{StateDelivering, StateRejected, StateFailed} {
		if pending[s] > 0 {
			out += fmt.Sprintf(", %d %s", pending[s], s)
		}
	}
	return out
}

// outcome reports whether kind is what became of a message the DSP did
// not accept (or not yet): a delivery in flight, rejected or failed.
func outcome(kind string) bool {
	return kind == StateDelivering || kind == StateRejected || kind == StateFailed
}

// stateAfter is the platform state a DSP's acceptance of a message of
// kind leaves.
func stateAfter(kind string) string {
	if outcome(kind) {
		return kind
	}
	switch kind {
	case "takedown":
		return StateTakenDown
	case "purge":
		return StatePurged
	}
	return StateLive
}

const messagesSuffix = ".messages.jsonl"

// appendMessage records a message the DSP accepted, rejected or that
// failed in the release's history at the DSP.
func (r *Root) appendMessage(d *Delivery) error {
	dir, err := openDir(nil, r.path("ledger", d.DSP))
	if err != nil {
		return err
	}
	defer dir.Close()
	line, err := json.Marshal(MessageLine{Time: r.now().UTC(), MessageID: d.MessageID, Kind: d.Kind, ERNVersion: d.ERNVersion,
		Node: r.node, Drop: d.Drop, Attempt: d.Attempt})
	if err != nil {
		return err
	}
	return appendLine(dir, d.ReleaseID+messagesSuffix, append(line, '\n'))
}

// Catalogue reads every release in the ledger whose UPC, ISRC, release id
// or title (case-insensitive substring) matches query ("" matches all),
// with its state at each DSP; with history, each platform's messages and
// the deals it accepted too.
// Releases come sorted by title, then id; platforms by DSP.
func (r *Root) Catalogue(query string, history bool) ([]CatalogueRelease, error) {
	f, err := r.latest()
	if err != nil {
		return nil, err
	}
	releases := f.releases
	if q := strings.ToLower(strings.TrimSpace(query)); q != "" {
		releases = slices.DeleteFunc(releases, func(rel foldedRelease) bool {
			for at := rel.head; at >= 0; at = f.entries[at].next {
				if f.entries[at].matches(q) {
					return false
				}
			}
			return true
		})
	}
	releases = sortByTitle(releases)
	// Every Platform, and every ISRC list, comes from one slab.
	platforms := make([]Platform, 0, len(f.entries))
	isrcSlab := make([]string, 0, 2*len(releases)) // grows for albums
	out := make([]CatalogueRelease, 0, len(releases))
	for _, rel := range releases {
		first := len(platforms)
		platforms = f.platforms(rel, platforms)
		mine := platforms[first:len(platforms):len(platforms)]
		if history {
			for i := range mine {
				mine[i].Messages = r.messages(mine[i].DSP, rel.id)
				mine[i].Deals = r.dealWindows(mine[i].DSP, rel.id)
			}
		}
		newest := &f.entries[rel.newest]
		var isrcs []string
		if newest.isrcs != "" {
			at, list := len(isrcSlab), newest.isrcs
			start := 0
			for i := 0; i < len(list); i++ { // split into the slab: no slice per release
				if list[i] == ',' {
					isrcSlab = append(isrcSlab, list[start:i])
					start = i + 1
				}
			}
			isrcSlab = append(isrcSlab, list[start:])
			isrcs = isrcSlab[at:len(isrcSlab):len(isrcSlab)]
		}
		out = append(out, CatalogueRelease{ReleaseID: rel.id, UPC: newest.upc, Title: rel.title, Artist: newest.artist, ISRCs: isrcs,
			Platforms: mine})
	}
	return out, nil
}

// platforms appends to dst rel's platforms, one per DSP in DSP order:
// its entries, a DSP's accepted message and later outcome merged.
func (f *fold) platforms(rel foldedRelease, dst []Platform) []Platform {
	first := len(dst)
	for at := rel.head; at >= 0; at = f.entries[at].next {
		e := &f.entries[at]
		dst = append(dst, Platform{DSP: e.dsp, State: stateAfter(e.kind),
			Last: MessageLine{Time: time.Unix(0, e.created).UTC(), MessageID: e.messageID, Kind: e.kind, ERNVersion: e.ernVersion}})
	}
	mine := dst[first:]
	if len(mine) > 1 {
		slices.SortFunc(mine, func(a, b Platform) int {
			return cmp.Or(strings.Compare(a.DSP, b.DSP), cmp.Compare(a.Last.Time.UnixNano(), b.Last.Time.UnixNano()),
				cmp.Compare(rank(a.State), rank(b.State)))
		})
		dst = dst[:first+len(mergeOutcomes(mine))]
	}
	return dst
}

// mergeOutcomes folds, per DSP, its last accepted message and the
// newest outcome of a message not accepted (at most one of each, sorted
// by DSP, then age) into one Platform: the newer of the two, and, when
// that is the outcome, what the DSP accepted before beside it.
func mergeOutcomes(ps []Platform) []Platform {
	out := ps[:0]
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1].DSP == p.DSP {
			if outcome(p.State) {
				p.Accepted = out[n-1].State
			}
			out[n-1] = p // the newer one; an older outcome was settled by the acceptance
			continue
		}
		out = append(out, p)
	}
	return out
}

// rank orders what is said of one message: its delivery began before
// it was accepted, rejected or failed.
func rank(kind string) int {
	if kind == StateDelivering {
		return 0
	}
	return 1
}

// byTitle orders releases by title, then id.
func byTitle(a, b foldedRelease) int {
	if a.title != b.title {
		return strings.Compare(a.title, b.title)
	}
	return strings.Compare(a.id, b.id)
}

// sortByTitle returns releases sorted by title, then id: two halves
// sorted at once, then merged, since a large catalogue's sort is the
// largest part of listing it.
func sortByTitle(releases []foldedRelease) []foldedRelease {
	const alone = 4096 // below this, a second goroutine costs more than it saves
	if len(releases) < alone || runtime.GOMAXPROCS(0) < 2 {
		slices.SortFunc(releases, byTitle)
		return releases
	}
	left, right := releases[:len(releases)/2], releases[len(releases)/2:]
	var wg sync.WaitGroup
	wg.Go(func() { slices.SortFunc(left, byTitle) })
	slices.SortFunc(right, byTitle)
	wg.Wait()
	out := make([]foldedRelease, 0, len(releases))
	for len(left) > 0 && len(right) > 0 {
		if byTitle(right[0], left[0]) < 0 {
			out, right = append(out, right[0]), right[1:]
		} else {
			out, left = append(out, left[0]), left[1:]
		}
	}
	out = append(out, left...)
	return append(out, right...)
}

func (e *indexEntry) matches(q string) bool {
	if strings.Contains(strings.ToLower(e.title), q) || strings.ToLower(e.upc) == q || strings.ToLower(e.releaseID) == q {
		return true
	}
	for isrc := range strings.SplitSeq(e.isrcs, ",") {
		if strings.ToLower(isrc) == q {
			return true
		}
	}
	return false
}

// messages reads a release's message history at dsp; a torn last line
// (a crash mid-append) is skipped.
func (r *Root) messages(dsp, id string) []MessageLine {
	dir, err := openDir(nil, r.path("ledger", dsp))
	if err != nil {
		return nil
	}
	defer dir.Close()
	raw, err := readFile(dir, id+messagesSuffix, maxHistorySize)
	if err != nil {
		return nil
	}
	var out []MessageLine
	seen := map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		var m MessageLine
		// A message recorded twice (a crash between the ledger and the
		// move to acknowledged/, then the acceptance again) counts once.
		if json.Unmarshal([]byte(line), &m) == nil && m.MessageID != "" && !seen[m.MessageID+"\x00"+m.Kind] {
			seen[m.MessageID+"\x00"+m.Kind] = true
			out = append(out, m)
		}
	}
	return out
}

// CatalogueCounts counts releases per DSP and platform state, for the
// ferry_releases metric.
func (r *Root) CatalogueCounts() (map[[2]string]int, error) {
	f, err := r.latest()
	if err != nil {
		return nil, err
	}
	counts := map[[2]string]int{}
	var buf []Platform // each release's, reused: counting needs no listing
	for _, rel := range f.releases {
		buf = f.platforms(rel, buf[:0])
		for _, p := range buf {
			counts[[2]string{p.DSP, p.State}]++
		}
	}
	return counts, nil
}

// The ISRC index, <root>/.ferry/ledger/<dsp>/isrc/<ISRC>, names the
// release each recording was last delivered on at a DSP: checking a drop
// for recordings live elsewhere costs one small read per track, however
// large the catalogue.

// indexISRCs records d's recordings as delivered on its release.
func (r *Root) indexISRCs(d *Delivery) error {
	for _, isrc := range d.ISRCs {
		if !ValidReleaseID(isrc) {
			continue
		}
		if err := r.writeRootFile(filepath.Join("ledger", d.DSP, "isrc"), isrc, []byte(d.ReleaseID)); err != nil {
			return err
		}
	}
	return nil
}

// LiveElsewhere returns, for each of isrcs live at dsp on a release other
// than releaseID, that release's ledger entry.
func (r *Root) LiveElsewhere(dsp, releaseID string, isrcs []string) map[string]*Delivery {
	out := map[string]*Delivery{}
	dir, err := openDir(nil, r.path("ledger", dsp, "isrc"))
	if err != nil {
		return out
	}
	defer dir.Close()
	for _, isrc := range isrcs {
		if !ValidReleaseID(isrc) {
			continue
		}
		b, err := readFile(dir, isrc, 256)
		other := strings.TrimSpace(string(b))
		if err != nil || other == releaseID || !ValidReleaseID(other) {
			continue
		}
		if d, err := r.Delivered(dsp, other); err == nil && stateAfter(d.Kind) == StateLive {
			out[isrc] = d
		}
	}
	return out
}
