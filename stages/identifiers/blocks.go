package identifiers

import (
	"fmt"
	"strings"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern/ident"
)

// Kind is a kind of identifier ferry allocates.
type Kind string

// The kinds of identifiers, as written in metrics and `ferry ids`.
const (
	UPC  Kind = "upc"
	ISRC Kind = "isrc"
	GRid Kind = "grid"
)

// Kinds lists every kind, in the order `ferry ids show` prints them.
var Kinds = []Kind{UPC, ISRC, GRid}

// block is one configured block of codes of one kind: a sequence of
// numbers first..last, each of which makes one code.
type block struct {
	kind        Kind
	name        string
	first, last uint64

	prefix string // UPC: GS1 company prefix; ISRC: country + registrant; GRid: issuer
	digits int    // UPC: 12 or 13
	carry  bool   // ISRC: the sequence continues across years
}

// blocksOf builds the blocks of a configuration, in order per kind.
func blocksOf(cfg *config.Identifiers) (map[Kind][]*block, error) {
	out := map[Kind][]*block{}
	add := func(b *block, rng func() (uint64, uint64, error)) error {
		first, last, err := rng()
		if err != nil {
			return fmt.Errorf("identifiers %s block %s: %w", b.kind, b.name, err)
		}
		b.first, b.last = first, last
		out[b.kind] = append(out[b.kind], b)
		return nil
	}
	for _, c := range cfg.UPC {
		d := c.Digits
		if d == 0 {
			d = 13
		}
		if err := add(&block{kind: UPC, name: c.BlockName(), prefix: c.Prefix, digits: d}, c.Range); err != nil {
			return nil, err
		}
	}
	for _, c := range cfg.ISRC {
		b := &block{kind: ISRC, name: c.BlockName(), prefix: strings.ToUpper(c.Country + c.Registrant), carry: c.CarryOver}
		if err := add(b, c.Range); err != nil {
			return nil, err
		}
	}
	for _, c := range cfg.GRid {
		if err := add(&block{kind: GRid, name: c.BlockName(), prefix: strings.ToUpper(c.Issuer)}, c.Range); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// code makes the code of sequence number n; yy is the ISRC year.
func (b *block) code(n uint64, yy int) (string, error) {
	switch b.kind {
	case UPC:
		return ident.MakeUPC(b.prefix, n, b.digits)
	case ISRC:
		return ident.MakeISRC(b.prefix[:2], b.prefix[2:], yy, int(n))
	case GRid:
		return ident.MakeGRid(b.prefix, n)
	}
	return "", fmt.Errorf("unknown kind %q", b.kind)
}

// size is how many codes the block holds (per year for an ISRC block
// that restarts each year).
func (b *block) size() uint64 { return b.last - b.first + 1 }

// describe writes the block's codes for people: "5059876 00000-99999".
func (b *block) describe() string {
	switch b.kind {
	case UPC:
		w := b.digits - 1 - len(b.prefix)
		return fmt.Sprintf("%s %0*d-%0*d (%d digits)", b.prefix, w, b.first, w, b.last, b.digits)
	case ISRC:
		mode := "restarts each year"
		if b.carry {
			mode = "carries over"
		}
		return fmt.Sprintf("%s-%s-YY-%05d-%05d (%s)", b.prefix[:2], b.prefix[2:], b.first, b.last, mode)
	}
	return fmt.Sprintf("A1-%s-%010d-%010d", b.prefix, b.first, b.last)
}

// parsed is a code seen in the journal or a release, taken apart.
type parsed struct {
	kind Kind
	key  string // the code normalized; a UPC-A as its EAN-13 twin, so both forms are one code
	code string // the code normalized, as written
	seq  uint64 // the block's sequence number, when in a block
	yy   int    // ISRC: two-digit year
}

// parse recognizes a UPC/EAN, ISRC or GRid; ok is false for anything
// else (including a wrong check character).
func parse(s string) (p parsed, ok bool) {
	switch {
	case ident.CheckUPC(s) == nil:
		n := ident.NormalizeUPC(s)
		key := n
		if len(n) == 12 {
			key = "0" + n
		}
		return parsed{kind: UPC, key: key, code: n}, true
	case ident.CheckISRC(s) == nil:
		n := ident.NormalizeISRC(s)
		return parsed{kind: ISRC, key: n, code: n}, true
	case ident.CheckGRid(s) == nil:
		n := ident.NormalizeGRid(s)
		return parsed{kind: GRid, key: n, code: n}, true
	}
	return parsed{}, false
}

// contains reports whether the code p is one of the block's and sets
// p.seq (and p.yy) when it is.
func (b *block) contains(p *parsed) bool {
	if p.kind != b.kind {
		return false
	}
	var num string
	switch b.kind {
	case UPC:
		body := p.key[:12] // EAN-13 form without its check digit
		prefix := strings.Repeat("0", 13-b.digits) + b.prefix
		if !strings.HasPrefix(body, prefix) {
			return false
		}
		num = body[len(prefix):]
	case ISRC:
		if p.key[:5] != b.prefix {
			return false
		}
		p.yy = int(p.key[5]-'0')*10 + int(p.key[6]-'0')
		num = p.key[7:]
	case GRid:
		if p.key[2:7] != b.prefix {
			return false
		}
		num = p.key[7:17]
	}
	var n uint64
	for i := 0; i < len(num); i++ {
		c := num[i]
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + uint64(c-'0')
	}
	if n < b.first || n > b.last {
		return false
	}
	p.seq = n
	return true
}
