package identifiers

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern/ident"
)

// testConfig has two small EAN-13 blocks, a UPC-A block, an ISRC
// registrant that restarts each year, one that carries over, and a GRid
// issuer.
func testConfig() *config.Identifiers {
	return &config.Identifiers{
		Timezone: "Europe/Paris",
		UPC: []config.UPCBlock{
			{Prefix: "5059876", References: "00010-00012"},
			{Name: "second", Prefix: "5059877", References: "00000-99999"},
		},
		ISRC: []config.ISRCBlock{
			{Country: "GB", Registrant: "EXR", Designations: "00001-99999"},
			{Country: "FR", Registrant: "Z03", Designations: "00001-99999", CarryOver: true},
		},
		GRid: []config.GRidBlock{{Issuer: "2425G"}},
	}
}

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func openTest(t *testing.T, root string, cfg *config.Identifiers, now func() time.Time) *Allocator {
	t.Helper()
	a, err := Open(root, cfg, Options{Now: now, Node: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func fixedClock(s string) func() time.Time {
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return tm }
}

// checkCode asserts that code is valid per ern/ident.
func checkCode(t *testing.T, kind Kind, code string) {
	t.Helper()
	var err error
	switch kind {
	case UPC:
		err = ident.CheckUPC(code)
	case ISRC:
		err = ident.CheckISRC(code)
	case GRid:
		err = ident.CheckGRid(code)
	}
	if err != nil {
		t.Errorf("allocated %s %q is not valid: %v", kind, code, err)
	}
}

func TestAllocateEachKind(t *testing.T) {
	a := openTest(t, t.TempDir(), testConfig(), fixedClock("2026-06-01T12:00:00Z"))
	codes, err := a.Allocate("harbour-lights", UPC, GRid, ISRC, ISRC, ISRC)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"5059876000107", "", "GBEXR2600001", "GBEXR2600002", "GBEXR2600003"}
	grid, _ := ident.MakeGRid("2425G", 1)
	want[1] = grid
	if !slices.Equal(codes, want) {
		t.Errorf("codes = %v, want %v", codes, want)
	}
	for i, k := range []Kind{UPC, GRid, ISRC, ISRC, ISRC} {
		checkCode(t, k, codes[i])
	}
	if d, _ := ident.UPCCheckDigit(codes[0][:12]); d != codes[0][12] {
		t.Errorf("EAN-13 %s: check digit should be %c", codes[0], d)
	}
	if c, _ := ident.GRidCheckChar(codes[1][:17]); c != codes[1][17] {
		t.Errorf("GRid %s: check character should be %c", codes[1], c)
	}
}

func TestAllocateUPCA(t *testing.T) {
	cfg := &config.Identifiers{UPC: []config.UPCBlock{{Prefix: "614141", Digits: 12, References: "00000-00002"}}}
	a := openTest(t, t.TempDir(), cfg, nil)
	var got []string
	for range 3 {
		c, err := a.Allocate("r", UPC)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c[0])
	}
	for _, c := range got {
		checkCode(t, UPC, c)
		if len(c) != 12 || !strings.HasPrefix(c, "6141410000") {
			t.Errorf("UPC-A %q: want 12 digits: 614141, reference 0000n, check digit", c)
		}
	}
	if !slices.Equal(got, []string{"614141000005", "614141000012", "614141000029"}) {
		t.Errorf("UPC-A codes = %v", got)
	}
	if _, err := a.Allocate("r", UPC); err == nil || !strings.Contains(err.Error(), "every UPC/EAN block is used up (614141)") {
		t.Errorf("exhausted block: err = %v", err)
	}
}

// A block used up hands over to the next one; a code found in the next
// block's range (imported as a UPC-A twin) is skipped.
func TestBlocksUsedInOrder(t *testing.T) {
	a := openTest(t, t.TempDir(), testConfig(), nil)
	if _, err := a.Import([]string{mustUPC(t, "5059877", 0)}, "old catalogue"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 5 {
		c, err := a.Allocate("r", UPC)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c[0])
	}
	want := []string{mustUPC(t, "5059876", 10), mustUPC(t, "5059876", 11), mustUPC(t, "5059876", 12), mustUPC(t, "5059877", 1), mustUPC(t, "5059877", 2)}
	if !slices.Equal(got, want) {
		t.Errorf("codes = %v, want %v", got, want)
	}
}

func mustUPC(t *testing.T, prefix string, n uint64) string {
	t.Helper()
	c, err := ident.MakeUPC(prefix, n, 13)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The ISRC year is the allocation's calendar year in the configured time
// zone: the restarting block begins again at 00001, the carrying one
// goes on from its last number.
func TestISRCYearRollover(t *testing.T) {
	clk := &clock{}
	clk.Set(time.Date(2026, 12, 31, 22, 0, 0, 0, time.UTC)) // 23:00 in Paris
	a := openTest(t, t.TempDir(), testConfig(), clk.Now)
	gb := a.blocks[ISRC][0]
	fr := a.blocks[ISRC][1]
	alloc := func(b *block, n int) []string {
		var out []string
		for range n {
			codes, err := a.issueFrom(b, opAllocate, "r")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, codes)
		}
		return out
	}
	if got := alloc(gb, 2); !slices.Equal(got, []string{"GBEXR2600001", "GBEXR2600002"}) {
		t.Errorf("2026 restart block: %v", got)
	}
	if got := alloc(fr, 3); !slices.Equal(got, []string{"FRZ032600001", "FRZ032600002", "FRZ032600003"}) {
		t.Errorf("2026 carry-over block: %v", got)
	}
	clk.Set(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)) // 00:30 on 1 January 2027 in Paris, still 2026 in UTC
	if got := alloc(gb, 2); !slices.Equal(got, []string{"GBEXR2700001", "GBEXR2700002"}) {
		t.Errorf("2027 restart block: %v", got)
	}
	if got := alloc(fr, 2); !slices.Equal(got, []string{"FRZ032700004", "FRZ032700005"}) {
		t.Errorf("2027 carry-over block: %v", got)
	}
	// The sequences are the journal's, not the process's: a new
	// allocator on the same root continues them.
	b := openTest(t, a.dir[:len(a.dir)-len(Dir)-1], testConfig(), clk.Now)
	if got, err := b.Allocate("r", ISRC); err != nil || got[0] != "GBEXR2700003" {
		t.Errorf("after reopening: %v, %v; want GBEXR2700003", got, err)
	}
}

// issueFrom allocates one code from block b alone (tests reach a block
// other than the first of its kind with it).
func (a *Allocator) issueFrom(b *block, op, purpose string) (string, error) {
	var code string
	err := a.locked(func() error {
		var err error
		code, err = a.takeFrom(b, a.now().In(a.loc).Year()%100, map[string]bool{})
		if err != nil {
			return err
		}
		return a.append(&record{Op: op, For: purpose, Codes: []string{code}})
	})
	return code, err
}

func TestImport(t *testing.T) {
	root := t.TempDir()
	a := openTest(t, root, testConfig(), fixedClock("2026-03-01T00:00:00Z"))
	old := []string{"GB-EXR-26-00001", "GBEXR2600002", "GBEXR2600007", mustUPC(t, "5059876", 10), "USRC17607839"}
	res, err := a.Import(old, "catalogue.csv")
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 5 || res.Known != 0 || res.Outside != 1 {
		t.Errorf("first import: %+v, want 5 added, 1 outside the blocks", res)
	}
	again, err := a.Import(old, "catalogue.csv")
	if err != nil || again.Added != 0 || again.Known != 5 {
		t.Errorf("second import: %+v, %v; want nothing added, 5 known", again, err)
	}
	// Allocation continues after the highest imported code, never
	// filling the holes between imported ones.
	got, err := a.Allocate("r", ISRC, UPC)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "GBEXR2600008" || got[1] != mustUPC(t, "5059876", 11) {
		t.Errorf("after import: %v, want GBEXR2600008 and the reference 11", got)
	}
	if _, err := a.Import([]string{"GBEXR2600009", "5059876000109"}, ""); err == nil || !strings.Contains(err.Error(), `"5059876000109" is not a valid`) {
		t.Errorf("import with a bad check digit: %v", err)
	}
	// The failed import added nothing.
	if s, _ := a.Lookup("GBEXR2600009"); s.Issued {
		t.Error("a refused import still recorded a code")
	}
}

func TestReserveAndShow(t *testing.T) {
	a := openTest(t, t.TempDir(), testConfig(), fixedClock("2026-03-01T00:00:00Z"))
	codes, err := a.Reserve(ISRC, 12, "studio session")
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 12 || codes[0] != "GBEXR2600001" || codes[11] != "GBEXR2600012" {
		t.Errorf("reserved %v", codes)
	}
	got, err := a.Allocate("r", ISRC, UPC)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "GBEXR2600013" {
		t.Errorf("allocation after reservation: %s, want GBEXR2600013", got[0])
	}
	if err := a.Observe("other", "GBEXR2600500", "GBEXR2600014", "USRC17607839"); err != nil {
		t.Fatal(err)
	}
	if err := a.Confirm("r", got[1]); err != nil {
		t.Fatal(err)
	}
	pools, err := a.Pools()
	if err != nil {
		t.Fatal(err)
	}
	find := func(kind Kind, name string) Pool {
		for _, p := range pools {
			if p.Kind == kind && p.Block == name {
				return p
			}
		}
		t.Fatalf("no pool %s %s in %+v", kind, name, pools)
		return Pool{}
	}
	gb := find(ISRC, "GBEXR")
	// Seen codes are skipped, not a reason to move on: 00014 is next
	// used by a release, so the next free is 00015; 00500 stays ahead.
	want := Pool{Kind: ISRC, Block: "GBEXR", Codes: gb.Codes, Year: 2026, Next: "GBEXR2600015", Size: 99999,
		Used: 3, Reserved: 12, Remaining: 99999 - 13 - 2, Unconfirmed: 1}
	if gb != want {
		t.Errorf("GBEXR pool\n got %+v\nwant %+v", gb, want)
	}
	upc := find(UPC, "5059876")
	if upc.Size != 3 || upc.Used != 1 || upc.Unconfirmed != 0 || upc.Remaining != 2 || upc.Next != mustUPC(t, "5059876", 11) {
		t.Errorf("UPC pool %+v", upc)
	}
	if s, _ := a.Lookup("GBEXR2600500"); !s.InBlock || s.Issued || s.Block != "GBEXR" {
		t.Errorf("a code seen in a release: %+v, want in block, not issued", s)
	}
	if s, _ := a.Lookup("GBEXR2600003"); !s.Issued {
		t.Errorf("a reserved code: %+v, want issued", s)
	}
	if s, _ := a.Lookup("USRC17607839"); s.InBlock || s.Issued {
		t.Errorf("a code outside the blocks: %+v", s)
	}
}

// Goroutines allocating at once get distinct codes.
func TestConcurrentAllocate(t *testing.T) {
	a := openTest(t, t.TempDir(), testConfig(), nil)
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				c, err := a.Allocate("r", ISRC, ISRC)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, x := range c {
					if seen[x] {
						t.Errorf("%s allocated twice", x)
					}
					seen[x] = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 320 {
		t.Errorf("%d codes, want 320", len(seen))
	}
}

// A record torn by a crash (no newline, or garbage ending the file) is
// cut off and the cut noted; its codes were never handed out, so they
// are allocated again.
func TestTornRecordIsCut(t *testing.T) {
	root := t.TempDir()
	a := openTest(t, root, testConfig(), nil)
	first, err := a.Allocate("r", UPC)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, filepath.FromSlash(Dir), journalName)
	for _, tail := range []string{`{"op":"allocate","codes":["50598760`, "\x00\x00\x00\x00\n"} {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(tail)
		f.Close()
		b := openTest(t, root, testConfig(), nil)
		pools, err := b.Pools()
		if err != nil {
			t.Fatalf("tail %q: %v", tail, err)
		}
		if pools[0].Used != 1 {
			t.Errorf("after a torn tail: %+v", pools[0])
		}
	}
	data, _ := os.ReadFile(path)
	if n := strings.Count(string(data), `"op":"repair"`); n != 2 {
		t.Errorf("journal notes %d repairs, want 2:\n%s", n, data)
	}
	next, err := a.Allocate("r", UPC) // a, open all along, reads the others' records
	if err != nil || next[0] == first[0] || next[0] != mustUPC(t, "5059876", 11) {
		t.Errorf("after repair: %v, %v", next, err)
	}
	// Damage in the middle is never guessed around.
	lines := strings.SplitAfter(string(data), "\n")
	damaged := lines[0] + "garbage\n" + strings.Join(lines[1:], "")
	if err := os.WriteFile(path, []byte(damaged), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(root, testConfig(), Options{}); err == nil || !strings.Contains(err.Error(), "journal damaged") {
		t.Errorf("damaged journal: %v", err)
	}
}

func TestNoBlock(t *testing.T) {
	a := openTest(t, t.TempDir(), &config.Identifiers{}, nil)
	if _, err := a.Allocate("r", GRid); err == nil || !strings.Contains(err.Error(), "no [[identifiers.grid]] block") {
		t.Errorf("err = %v", err)
	}
}
