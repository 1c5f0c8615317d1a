package validate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/erntest"
)

// A DSP-style message repeats each deal per territory: 50 start dates ×
// 4 offers × 250 territories = 50,000 one-territory deals, every tenth
// listing its territory twice. They fold into 200 deals of 250
// territories.
const (
	bigDeals      = 50_000
	bigOffers     = 4
	bigStartDates = 50
)

// manyDealsMessage is the folder's release as an ERN 4.3 message whose
// DealList holds n one-territory deals (indented as real messages are).
func manyDealsMessage(tb testing.TB, dir string, n int) []byte {
	tb.Helper()
	msg := ernMessage(tb, dir, ern.V43, nil)
	codes := make([]string, 0, len(territoryCodes))
	for c := range territoryCodes {
		codes = append(codes, c)
	}
	codes = codes[:250]
	offers := [bigOffers][2]string{
		{"SubscriptionModel", "OnDemandStream"}, {"AdvertisementSupportedModel", "OnDemandStream"},
		{"PayAsYouGoModel", "PermanentDownload"}, {"SubscriptionModel", "NonInteractiveStream"},
	}
	var b strings.Builder
	b.Grow(n * 340)
	b.WriteString("<DealList>\n    <ReleaseDeal>\n      <DealReleaseReference>R0</DealReleaseReference>\n")
	first := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	for i := range n {
		terr := codes[i%len(codes)]
		o := offers[(i/len(codes))%bigOffers]
		start := first.AddDate(0, 0, (i/(len(codes)*bigOffers))%bigStartDates).Format(time.DateOnly)
		b.WriteString("    <Deal>\n      <DealTerms>\n        <TerritoryCode>" + terr + "</TerritoryCode>\n")
		if i%10 == 0 {
			b.WriteString("        <TerritoryCode>" + terr + "</TerritoryCode>\n")
		}
		b.WriteString("        <ValidityPeriod>\n          <StartDate>" + start + "</StartDate>\n        </ValidityPeriod>\n")
		b.WriteString("        <CommercialModelType>" + o[0] + "</CommercialModelType>\n        <UseType>" + o[1] + "</UseType>\n      </DealTerms>\n    </Deal>\n")
	}
	b.WriteString("    </ReleaseDeal>\n  </DealList>")
	i, j := bytes.Index(msg, []byte("<DealList>")), bytes.Index(msg, []byte("</DealList>"))
	if i < 0 || j < 0 {
		tb.Fatal("the message has no DealList")
	}
	out := append(append(append([]byte{}, msg[:i]...), b.String()...), msg[j+len("</DealList>"):]...)
	return out
}

// TestManyDeals validates a release whose message has 50,000
// one-territory deals: they merge into 200 deals of 250 distinct
// territories, with no problem.
func TestManyDeals(t *testing.T) {
	dir := goodRelease(t)
	small := manyDealsMessage(t, dir, 2000)
	erntest.Validate(t, erntest.Schema(t, "43"), small) // the shape is valid ERN 4.3
	msg := manyDealsMessage(t, dir, bigDeals)
	if len(msg) > maxERNFileSize || len(msg) < 15<<20 {
		t.Fatalf("the message is %d bytes, want 15 to 16 MiB", len(msg))
	}
	writeERN(t, dir, msg)
	// Each offer's 50 open-ended deals overlap one another (rule
	// window-overlap); that rule is tested on its own and off here.
	rel, ps := testValidator(overlapOff).Validate(dir)
	if len(ps) > 0 {
		t.Fatalf("problems:\n%s", ps.Error())
	}
	if n := len(rel.Model.Deals); n != bigOffers*bigStartDates {
		t.Fatalf("%d deals, want %d", n, bigOffers*bigStartDates)
	}
	for _, d := range rel.Model.Deals {
		seen := map[string]bool{}
		for _, c := range d.Territories {
			if seen[c] {
				t.Fatalf("territory %s listed twice in a deal", c)
			}
			seen[c] = true
		}
		if len(d.Territories) != 250 {
			t.Fatalf("a deal with %d territories, want 250", len(d.Territories))
		}
	}
}

// BenchmarkValidate50000Deals validates a release folder whose ERN
// message (16 MB) holds 50,000 one-territory deals, end to end: reading
// the message, the media headers, every rule (target: under 1 s and
// 100 MB allocated).
func BenchmarkValidate50000Deals(b *testing.B) {
	dir := goodRelease(b)
	msg := manyDealsMessage(b, dir, bigDeals)
	writeERN(b, dir, msg)
	v := testValidator(overlapOff) // checked all the same: 4,900 overlapping pairs
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ps := v.Validate(dir); len(ps) > 0 {
			b.Fatalf("%s", ps.Error())
		}
	}
	fi, _ := os.Stat(filepath.Join(dir, ernMessageName))
	b.ReportMetric(float64(fi.Size())/(1<<20), "message-MiB")
}

// overlapOff is the default rules with window-overlap off.
func overlapOff(string) config.Rules {
	return config.Rules{Severity: map[string]string{RuleWindowOverlap: "off"}}
}
