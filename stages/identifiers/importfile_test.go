package identifiers

import (
	"slices"
	"strings"
	"testing"
)

func TestReadCodes(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
		err        string
	}{
		{"one per line", "GBEXR2600001\n5059876000107\n\nA12425G0000000001Z\n", []string{"GBEXR2600001", "5059876000107", "A12425G0000000001Z"}, ""},
		{"CSV with header and other columns", "isrc,title,upc\nGB-EXR-26-00001,\"Low Tide, live\",5059876000107\nGBEXR2600002,Breakwater,\n",
			[]string{"GB-EXR-26-00001", "5059876000107", "GBEXR2600002"}, ""},
		{"semicolons and a byte-order mark", "\xef\xbb\xbfISRC;Title\nGBEXR2600003;Auto\n", []string{"GBEXR2600003"}, ""},
		{"tabs and comments", "# exported 2026-01-02\nGBEXR2600004\tx\n", []string{"GBEXR2600004"}, ""},
		{"wrong check digit", "5059876000107\n5059876000108\n", nil, `line 2: UPC "5059876000108": check digit is 8, expected 7`},
		{"line without a code", "GBEXR2600001\nhello\n", nil, `line 2: no UPC/EAN, ISRC or GRid in "hello"`},
		{"bad GRid", "A12425G0000000001X\n", nil, "line 1: GRid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadCodes(strings.NewReader(tt.text))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
