package validate

import (
	"os"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/ferrydelivery/ferry/ern/erntest"
)

// avsValues reads the enumeration values of one simpleType of a DDEX
// allowed-value-set XSD.
func avsValues(t *testing.T, xsd []byte, typeName string) []string {
	t.Helper()
	block := regexp.MustCompile(`(?s)<xs:simpleType name="` + regexp.QuoteMeta(typeName) + `">(.*?)</xs:simpleType>`).FindSubmatch(xsd)
	if block == nil {
		t.Fatalf("AVS has no simpleType %s", typeName)
	}
	var out []string
	for _, m := range regexp.MustCompile(`<xs:enumeration value="([^"]*)"`).FindAllSubmatch(block[1], -1) {
		out = append(out, string(m[1]))
	}
	return out
}

func without(values []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(values), func(v string) bool { return slices.Contains(drop, v) })
}

func sorted(values []string) []string {
	s := slices.Clone(values)
	sort.Strings(s)
	return s
}

// TestAllowedValuesMatchAVS checks the value lists embedded in ferry
// against DDEX's ERN 4.3 allowed-value sets, so a typo or an outdated
// list fails here instead of at a DSP.
func TestAllowedValuesMatchAVS(t *testing.T) {
	xsd, err := os.ReadFile(erntest.Path(t, "xsd/ern/43/allowed-value-sets.xsd"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		embedded []string
		avsType  string
		dropped  []string // AVS values ferry does not accept, on purpose
	}{
		{"commercial models", commercialModels, "CommercialModelType_ERN", []string{"UserDefined"}},
		{"use types", useTypes, "UseType_ERN", []string{"UserDefined"}},
		{"parental warnings", parentalWarnings, "ParentalWarningType", []string{"UserDefined"}},
	} {
		want := sorted(without(avsValues(t, xsd, c.avsType), c.dropped...))
		if got := sorted(c.embedded); !slices.Equal(got, want) {
			t.Errorf("%s: embedded %q\nAVS %s has %q", c.name, got, c.avsType, want)
		}
	}

	var codes []string
	for c := range territoryCodes {
		codes = append(codes, c)
	}
	iso := avsValues(t, xsd, "Iso31661TerritoryCode")
	want := sorted(append(without(iso, "AN", "CS"), "XK"))
	if got := sorted(codes); !slices.Equal(got, want) {
		t.Errorf("territory codes: embedded %q\nwant Iso31661TerritoryCode less AN, CS plus XK: %q", got, want)
	}
	for _, withdrawn := range []string{"AN", "CS"} {
		if !slices.Contains(iso, withdrawn) {
			t.Errorf("the AVS no longer lists %s: drop its special case", withdrawn)
		}
	}
	// What ferry accepts, the ERN's TerritoryCode element accepts.
	current := avsValues(t, xsd, "CurrentTerritoryCode")
	for _, c := range append(codes, Worldwide) {
		if !slices.Contains(current, c) {
			t.Errorf("territory %s is not a CurrentTerritoryCode", c)
		}
	}
	ern4 := avsValues(t, xsd, "ReleaseType_ERN4")
	for _, rt := range without(releaseTypes, "Compilation") {
		if !slices.Contains(ern4, rt) {
			t.Errorf("release type %s is not a ReleaseType_ERN4 value", rt)
		}
	}
}

func TestClosest(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"subscription", "SubscriptionModel"},
		{"Subscription Model", "SubscriptionModel"},
		{"on-demand-stream", "OnDemandStream"},
		{"explicit", "Explicit"},
		{"Use", "Use"},
		{"xyz", ""},
		{"", ""},
	} {
		all := append(append(slices.Clone(commercialModels), useTypes...), parentalWarnings...)
		if got := closest(c.in, all); got != c.want {
			t.Errorf("closest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
