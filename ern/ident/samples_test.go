package ident

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/ern/erntest"
)

// sampleIdentifiers finds identifiers in DDEX's official sample messages:
// element content of ISRC, ICPN, GRid, ISNI and PartyId, and DPIDs used as
// proprietary-id namespaces.
var sampleIdentifiers = regexp.MustCompile(`<(ISRC|ICPN|GRid|ISNI|PartyId)>([^<]*)<|Namespace="(?:DPID:)?(PADPIDA[^"]*)"`)

// knownBadInSamples are the identifiers of the official samples that do
// not verify, with the message ferry gives. They are placeholders DDEX
// wrote by hand (A1UCASE…X, PADPIDA0000000001A, DPID_OF_THE_…) or
// 14-digit GTINs where ferry asks for a 12/13-digit UPC/EAN. The test
// fails if one of them starts to verify or a new one appears, so this
// list stays the true answer.
var knownBadInSamples = map[string]string{
	"A1UCASE0000000001X":    `GRid "A1UCASE0000000001X": check character is X, expected B`,
	"A1UCASE0000000002X":    `GRid "A1UCASE0000000002X": check character is X, expected 9`,
	"A1UCASE0000000003X":    `GRid "A1UCASE0000000003X": check character is X, expected 7`,
	"A1UCASE0000000004X":    `GRid "A1UCASE0000000004X": check character is X, expected 5`,
	"A1UCASE0000000005X":    `GRid "A1UCASE0000000005X": check character is X, expected 3`,
	"A1UCASE0000000006X":    `GRid "A1UCASE0000000006X": check character is X, expected 1`,
	"A1UCASE0000000401X":    `GRid "A1UCASE0000000401X": check character is X, expected G`,
	"PADPIDA0000000001A":    `DPID "PADPIDA0000000001A": check character is A, expected O`,
	"DPID_OF_THE_SENDER":    `DPID "DPID_OF_THE_SENDER": does not start with PADPIDA`,
	"DPID_OF_THE_RECIPIENT": `DPID "DPID_OF_THE_RECIPIENT": does not start with PADPIDA`,
}

func TestOfficialSampleIdentifiers(t *testing.T) {
	dir := erntest.Path(t, "samples")
	checks := map[string]func(string) error{
		"ISRC": CheckISRC, "ICPN": CheckUPC, "GRid": CheckGRid, "ISNI": CheckISNI, "PartyId": CheckDPID, "Namespace": CheckDPID,
	}
	seen := map[string]bool{}
	checked := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".xml") {
			return err
		}
		doc, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		for _, m := range sampleIdentifiers.FindAllStringSubmatch(string(doc), -1) {
			kind, value := m[1], m[2]
			if kind == "" {
				kind, value = "Namespace", m[3]
			}
			if strings.TrimSpace(value) == "" {
				continue // a container (PartyId holding a ProprietaryId)
			}
			if seen[kind+value] {
				continue
			}
			seen[kind+value] = true
			checked++
			err := checks[kind](value)
			want, known := knownBadInSamples[value]
			switch {
			case err == nil && known:
				t.Errorf("%s: %s %s now verifies; remove it from knownBadInSamples", rel, kind, value)
			case err != nil && !known:
				t.Errorf("%s: %s refused: %v", rel, kind, err)
			case err != nil && err.Error() != want:
				t.Errorf("%s: %s: got %q, want %q", rel, kind, err, want)
			case err != nil:
				t.Logf("%s: does not verify (known): %v", rel, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for v := range knownBadInSamples {
		found := false
		for k := range seen {
			found = found || strings.HasSuffix(k, v)
		}
		if !found {
			missing = append(missing, v)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("known bad identifiers no longer in the samples: %v", missing)
	}
	if checked < 40 {
		t.Fatalf("only %d identifiers found in %s: the pattern no longer matches the samples", checked, dir)
	}
	t.Logf("%d distinct identifiers checked", checked)
}
