package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // [identifiers] timezone works where the system has no zoneinfo (a scratch image)
)

// Identifiers is [identifiers]: the label's own blocks of UPC/EAN, ISRC
// and GRid codes, from which ferry allocates codes for releases that ask
// for them with "auto". Blocks of one kind are used in the order written:
// the next is used when one is exhausted.
type Identifiers struct {
	// FillMissing makes ferry allocate a code for a release dropped as
	// an ERN message without an ICPN or ISRC, as if it said "auto".
	FillMissing bool `toml:"fill_missing"`
	// Timezone is the IANA zone whose calendar year an ISRC gets
	// (default UTC): an ISRC allocated at 00:30 on 1 January in
	// Europe/Paris carries the new year even though UTC is still in the
	// old one.
	Timezone string `toml:"timezone"`
	// Artists is the path of artists.toml, the registry binding artist
	// names to their ISNI and IPI; "" means none.
	Artists string      `toml:"artists"`
	UPC     []UPCBlock  `toml:"upc"`
	ISRC    []ISRCBlock `toml:"isrc"`
	GRid    []GRidBlock `toml:"grid"`
}

// UPCBlock is a GS1 company prefix and the item references under it the
// label owns. A code is prefix + reference (zero-padded) + GS1 check
// digit, 12 digits (UPC-A) or 13 (EAN-13) in all.
type UPCBlock struct {
	// Name labels the block in `ferry ids show` and in metrics; default:
	// the prefix.
	Name   string `toml:"name"`
	Prefix string `toml:"prefix"`
	// References is the item-reference range, "FIRST-LAST" (e.g.
	// "00000-99999"); default: every reference that fits.
	References string `toml:"references"`
	// Digits is 13 (EAN-13, the default) or 12 (UPC-A).
	Digits int `toml:"digits"`
}

// ISRCBlock is an ISRC registrant: country code, registrant code and the
// designation codes ferry may use each year.
type ISRCBlock struct {
	// Name labels the block; default: country + registrant ("GBEXR").
	Name       string `toml:"name"`
	Country    string `toml:"country"`
	Registrant string `toml:"registrant"`
	// Designations is the range of designation codes, "FIRST-LAST";
	// default "00001-99999".
	Designations string `toml:"designations"`
	// CarryOver continues the designation sequence into a new year
	// instead of restarting it at FIRST (for registrants who keep one
	// running sequence).
	CarryOver bool `toml:"carry_over"`
}

// GRidBlock is a GRid issuer code and the release numbers ferry may use.
type GRidBlock struct {
	// Name labels the block; default: the issuer code.
	Name   string `toml:"name"`
	Issuer string `toml:"issuer"`
	// Releases is the range of release numbers, "FIRST-LAST"; default
	// "0000000001-9999999999".
	Releases string `toml:"releases"`
}

// Enabled reports whether any block is configured.
func (c *Identifiers) Enabled() bool {
	return len(c.UPC)+len(c.ISRC)+len(c.GRid) > 0
}

// Location is the time zone of ISRC years; UTC when unset or invalid
// (Check reports an invalid one).
func (c *Identifiers) Location() *time.Location {
	if c.Timezone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// BlockName is the block's name, or its default.
func (b UPCBlock) BlockName() string {
	if b.Name != "" {
		return b.Name
	}
	return b.Prefix
}

// ReferenceWidth is how many digits the item reference has: the code's
// digits less the prefix and the check digit.
func (b UPCBlock) ReferenceWidth() int {
	d := b.Digits
	if d == 0 {
		d = 13
	}
	return d - 1 - len(b.Prefix)
}

// Range is the block's item-reference range.
func (b UPCBlock) Range() (first, last uint64, err error) {
	w := b.ReferenceWidth()
	if w < 1 || w > 11 {
		return 0, 0, fmt.Errorf("prefix %q leaves %d digits for the item reference", b.Prefix, w)
	}
	return ParseRange(b.References, w, 0)
}

// BlockName is the block's name, or its default.
func (b ISRCBlock) BlockName() string {
	if b.Name != "" {
		return b.Name
	}
	return strings.ToUpper(b.Country + b.Registrant)
}

// Range is the block's designation range.
func (b ISRCBlock) Range() (first, last uint64, err error) {
	return ParseRange(b.Designations, 5, 1)
}

// BlockName is the block's name, or its default.
func (b GRidBlock) BlockName() string {
	if b.Name != "" {
		return b.Name
	}
	return strings.ToUpper(b.Issuer)
}

// Range is the block's release-number range.
func (b GRidBlock) Range() (first, last uint64, err error) {
	return ParseRange(b.Releases, 10, 1)
}

// ParseRange reads "FIRST-LAST", two numbers of at most width digits
// (leading zeros allowed), FIRST <= LAST. An empty s is the range from
// min to the largest number of width digits.
func ParseRange(s string, width int, min uint64) (first, last uint64, err error) {
	top := uint64(1)
	for range width {
		top *= 10
	}
	top--
	if strings.TrimSpace(s) == "" {
		return min, top, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("range %q: write FIRST-LAST, e.g. %q", s, strings.Repeat("0", width)+"-"+strings.Repeat("9", width))
	}
	num := func(v string) (uint64, error) {
		v = strings.TrimSpace(v)
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || v == "" || v[0] == '+' {
			return 0, fmt.Errorf("range %q: %q is not a number", s, v)
		}
		if len(strings.TrimLeft(v, "0")) > width {
			return 0, fmt.Errorf("range %q: %s has more than %d digits", s, v, width)
		}
		return n, nil
	}
	if first, err = num(a); err != nil {
		return 0, 0, err
	}
	if last, err = num(b); err != nil {
		return 0, 0, err
	}
	if first > last {
		return 0, 0, fmt.Errorf("range %q: the first number is greater than the last", s)
	}
	return first, last, nil
}

// check reports every invalid [identifiers] setting, each message
// starting with its key.
func (c *Identifiers) check() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Timezone != "" {
		if _, err := time.LoadLocation(c.Timezone); err != nil {
			bad("identifiers.timezone = %q: not an IANA time zone (e.g. \"Europe/London\", \"UTC\")", c.Timezone)
		}
	}
	names := map[string]bool{}
	unique := func(kind string, i int, name string) {
		key := kind + "\x00" + name
		if names[key] {
			bad("identifiers.%s[%d]: another %s block is named %q: give each block its own name", kind, i+1, kind, name)
		}
		names[key] = true
	}
	for i, b := range c.UPC {
		p := fmt.Sprintf("identifiers.upc[%d]", i+1)
		if b.Digits != 0 && b.Digits != 12 && b.Digits != 13 {
			bad("%s.digits = %d: want 13 (EAN-13) or 12 (UPC-A)", p, b.Digits)
			continue
		}
		if !allDigits(b.Prefix) || len(b.Prefix) < 6 {
			bad("%s.prefix = %q: want the GS1 company prefix, 6 to 11 digits", p, b.Prefix)
			continue
		}
		if _, _, err := b.Range(); err != nil {
			bad("%s.references: %v", p, err)
		}
		unique("upc", i, b.BlockName())
	}
	for i, b := range c.ISRC {
		p := fmt.Sprintf("identifiers.isrc[%d]", i+1)
		if len(b.Country) != 2 || !allOf(strings.ToUpper(b.Country), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			bad("%s.country = %q: want the 2-letter ISRC country code", p, b.Country)
		}
		if len(b.Registrant) != 3 || !allOf(strings.ToUpper(b.Registrant), alnum) {
			bad("%s.registrant = %q: want the 3-character registrant code", p, b.Registrant)
		}
		if _, _, err := b.Range(); err != nil {
			bad("%s.designations: %v", p, err)
		}
		unique("isrc", i, b.BlockName())
	}
	for i, b := range c.GRid {
		p := fmt.Sprintf("identifiers.grid[%d]", i+1)
		if len(b.Issuer) != 5 || !allOf(strings.ToUpper(b.Issuer), alnum) {
			bad("%s.issuer = %q: want the 5-character GRid issuer code", p, b.Issuer)
		}
		if _, _, err := b.Range(); err != nil {
			bad("%s.releases: %v", p, err)
		}
		unique("grid", i, b.BlockName())
	}
	return errs
}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

func allDigits(s string) bool { return s != "" && allOf(s, "0123456789") }

func allOf(s, set string) bool {
	for _, r := range s {
		if !strings.ContainsRune(set, r) {
			return false
		}
	}
	return true
}
