package identifiers

// Pool is one block's counts, as `ferry ids show` prints them and the
// ferry_identifiers_remaining metric exports them. For an ISRC block that
// restarts each year the counts are the current year's.
type Pool struct {
	Kind  Kind   `json:"kind"`
	Block string `json:"block"`
	// Codes describes the block: prefix and range.
	Codes string `json:"codes"`
	// Year is the ISRC year counted (the current one in the configured
	// time zone); 0 for other kinds.
	Year int `json:"year,omitempty"`
	// Next is the code the next allocation gets from this block; "" when
	// the block is used up.
	Next string `json:"next"`
	// Size is how many codes the block holds (per year for an ISRC block
	// that restarts each year).
	Size uint64 `json:"size"`
	// Used counts codes in the block allocated to releases, imported, or
	// found in releases without having been allocated.
	Used uint64 `json:"used"`
	// Reserved counts codes set aside with `ferry ids reserve`.
	Reserved uint64 `json:"reserved"`
	// Remaining is how many codes are left to allocate.
	Remaining uint64 `json:"remaining"`
	// Unconfirmed counts allocated codes never confirmed as written into
	// their release: a crash came in between (a gap), or the release is
	// being validated right now.
	Unconfirmed uint64 `json:"unconfirmed"`
}

// Pools returns every configured block's counts, in configuration order
// per kind (UPC, ISRC, GRid).
func (a *Allocator) Pools() ([]Pool, error) {
	var out []Pool
	err := a.locked(func() error {
		year := a.now().In(a.loc).Year()
		type counts struct{ used, reserved, unconfirmed, above uint64 }
		byKey := map[seqKey]*counts{}
		for _, e := range a.st.codes {
			if e.block == nil {
				continue
			}
			k := keyOf(e.block, e.yy)
			c := byKey[k]
			if c == nil {
				c = &counts{}
				byKey[k] = c
			}
			switch e.status {
			case statusReserved:
				c.reserved++
			case statusAllocated:
				c.used++
				if !e.confirmed {
					c.unconfirmed++
				}
			default:
				c.used++
			}
			if e.seq >= max(a.st.next[k], e.block.first) && (e.block.kind != ISRC || e.yy == year%100) {
				c.above++ // only codes seen in releases lie past the cursor
			}
		}
		for _, kind := range Kinds {
			for _, b := range a.blocks[kind] {
				k := keyOf(b, year%100)
				c := byKey[k]
				if c == nil {
					c = &counts{}
				}
				p := Pool{Kind: kind, Block: b.name, Codes: b.describe(), Size: b.size(),
					Used: c.used, Reserved: c.reserved, Unconfirmed: c.unconfirmed}
				if kind == ISRC {
					p.Year = year
				}
				if next := max(a.st.next[k], b.first); next <= b.last {
					p.Remaining = b.last - next + 1 - min(c.above, b.last-next+1)
				}
				if p.Remaining > 0 {
					next, err := a.takeFrom(b, year%100, map[string]bool{})
					if err != nil {
						return err
					}
					p.Next = next
				}
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}
