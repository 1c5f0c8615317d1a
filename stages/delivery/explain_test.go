package delivery

import (
	"testing"

	"github.com/ferrydelivery/ferry/stages/record"
)

func TestExplainSaysWhyEachFileIsSentOrNot(t *testing.T) {
	file := func(res, b3 string, provided bool) record.DeliveredFile {
		return record.DeliveredFile{Role: record.RoleResource, Resource: res, Remote: res, BLAKE3: b3, Provided: provided}
	}
	msg := record.DeliveredFile{Role: record.RoleMessage, Remote: "m.xml", Provided: true}
	had := &record.Delivery{Files: []record.DeliveredFile{file("audio:A", "a1", true), file("audio:B", "b1", true), file("cover", "c1", true)}}
	cases := []struct {
		name      string
		delivered *record.Delivery
		version   string
		files     []record.DeliveredFile
		want      map[string]string
	}{
		{"first delivery", nil, "4.3", []record.DeliveredFile{file("audio:A", "a1", true), msg},
			map[string]string{"audio:A": "first delivery to this DSP", "": "the update message"}},
		{"one audio changed: rule 12 resends every audio file", had, "4.3",
			[]record.DeliveredFile{file("audio:A", "a2", true), file("audio:B", "b1", true), file("cover", "c1", false)},
			map[string]string{"audio:A": "changed since the DSP's last delivery",
				"audio:B": "unchanged, sent again: another audio file changed (DDEX Release Profiles rule 12)",
				"cover":   "unchanged: described in the message, not sent"}},
		{"a track added", had, "4.3",
			[]record.DeliveredFile{file("audio:A", "a1", false), file("audio:B", "b1", false), file("audio:C", "x", true), file("cover", "c1", false)},
			map[string]string{"audio:C": "new: the DSP does not have it", "audio:A": "unchanged: described in the message, not sent"}},
		{"3.8.2 cannot leave files out", had, "3.8.2",
			[]record.DeliveredFile{file("audio:A", "a1", true)},
			map[string]string{"audio:A": "unchanged, sent again: ERN 3.8.2 cannot say a file is not provided"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &record.Delivery{Kind: "update", ERNVersion: c.version, Files: c.files}
			got := map[string]string{}
			for _, p := range Explain(c.delivered, d) {
				got[p.Resource] = p.Why
			}
			for res, why := range c.want {
				if got[res] != why {
					t.Errorf("%q: %q, want %q", res, got[res], why)
				}
			}
		})
	}
}
