package identifiers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Journal operations, one per record.
const (
	opAllocate = "allocate" // given to a release by validation
	opReserve  = "reserve"  // reserved ahead of time (`ferry ids reserve`)
	opImport   = "import"   // issued before ferry (`ferry ids import`)
	opSeen     = "seen"     // found in a release, inside a block, never allocated by ferry
	opConfirm  = "confirm"  // written into the release it was allocated for
	opRepair   = "repair"   // a torn record left by a crash was cut off
)

// record is one line of the journal.
type record struct {
	Op    string    `json:"op"`
	At    time.Time `json:"at"`
	Node  string    `json:"node,omitempty"`
	For   string    `json:"for,omitempty"`
	Note  string    `json:"note,omitempty"`
	Codes []string  `json:"codes,omitempty"`
}

// status is what the journal says of a code; a later record with a
// stronger status wins (a code ferry allocated and later imported stays
// allocated).
type status uint8

const (
	statusNone status = iota
	statusSeen
	statusImported
	statusReserved
	statusAllocated
)

// entry is the journal's knowledge of one code.
type entry struct {
	status    status
	confirmed bool
	block     *block // nil: outside every configured block
	seq       uint64
	yy        int
}

// seqKey names one sequence: a block, and for an ISRC block that
// restarts each year, the year (-1 otherwise).
type seqKey struct {
	b  *block
	yy int
}

// state is the journal read into memory.
type state struct {
	codes map[string]*entry // by parsed.key
	// next is one past the highest sequence number allocated, reserved
	// or imported in each sequence. Codes ferry only saw in a release are
	// skipped, never a reason to move on: a typo must not waste a block.
	next map[seqKey]uint64
	// records and repairs count what was read, for `ferry ids show`.
	records, repairs int
}

func newState() *state {
	return &state{codes: map[string]*entry{}, next: map[seqKey]uint64{}}
}

// keyOf is the sequence a code of block b with year yy belongs to.
func keyOf(b *block, yy int) seqKey {
	if b.kind != ISRC || b.carry {
		return seqKey{b, -1}
	}
	return seqKey{b, yy}
}

// apply adds one record's codes to the state.
func (s *state) apply(r *record, blocks map[Kind][]*block) {
	s.records++
	var st status
	switch r.Op {
	case opAllocate:
		st = statusAllocated
	case opReserve:
		st = statusReserved
	case opImport:
		st = statusImported
	case opSeen:
		st = statusSeen
	case opConfirm:
	case opRepair:
		s.repairs++
		return
	default:
		return // a newer ferry's record: its codes are still counted below as seen
	}
	for _, c := range r.Codes {
		p, ok := parse(c)
		if !ok {
			continue
		}
		e := s.codes[p.key]
		if e == nil {
			e = &entry{}
			for _, b := range blocks[p.kind] {
				if b.contains(&p) {
					e.block, e.seq, e.yy = b, p.seq, p.yy
					break
				}
			}
			s.codes[p.key] = e
		}
		switch {
		case r.Op == opConfirm:
			e.confirmed = true
			if e.status == statusNone {
				e.status = statusSeen
			}
		case st > e.status:
			e.status = st
		}
		if e.status >= statusImported && e.block != nil {
			k := keyOf(e.block, e.yy)
			if e.seq+1 > s.next[k] {
				s.next[k] = e.seq + 1
			}
		}
	}
}

// encode writes a record as one journal line.
func (r *record) encode() ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// decodeLines applies every complete line of data and returns how many
// bytes they take. A line that is not a record is an error, except the
// last one: a record torn by a power cut may end in a newline with
// garbage before it, and its codes were never handed out.
func (s *state) decodeLines(data []byte, base int64, blocks map[Kind][]*block) (used int, torn bool, err error) {
	for used < len(data) {
		nl := bytes.IndexByte(data[used:], '\n')
		if nl < 0 {
			return used, true, nil
		}
		line := data[used : used+nl]
		var r record
		if jerr := json.Unmarshal(line, &r); jerr != nil || r.Op == "" {
			if used+nl+1 == len(data) {
				return used, true, nil
			}
			return used, false, fmt.Errorf("journal damaged at byte %d: %q is not a record (restore the file from a backup; ferry allocates nothing until it is readable)",
				base+int64(used), truncate(line, 60))
		}
		s.apply(&r, blocks)
		used += nl + 1
	}
	return used, false, nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
