package delivery

import (
	"reflect"
	"testing"

	"github.com/ferrydelivery/ferry/stages/record"
)

func TestResendFollowsRule12(t *testing.T) {
	res := func(r, h string) record.DeliveredFile {
		return record.DeliveredFile{Role: record.RoleResource, Resource: r, BLAKE3: h}
	}
	delivered := &record.Delivery{Files: []record.DeliveredFile{res("audio:A", "a1"), res("audio:B", "b1"), res(coverResource, "c1"),
		{Role: record.RoleMessage, BLAKE3: "m1"}}}
	tests := []struct {
		name string
		now  []record.DeliveredFile
		want map[string]bool
	}{
		{"nothing changed", []record.DeliveredFile{res("audio:A", "a1"), res("audio:B", "b1"), res(coverResource, "c1")}, map[string]bool{}},
		{"one audio changed: all audio", []record.DeliveredFile{res("audio:A", "a2"), res("audio:B", "b1"), res(coverResource, "c1")},
			map[string]bool{"audio:A": true, "audio:B": true}},
		{"cover changed: secondaries only", []record.DeliveredFile{res("audio:A", "a1"), res("audio:B", "b1"), res(coverResource, "c2")},
			map[string]bool{coverResource: true}},
		{"track added: the new one", []record.DeliveredFile{res("audio:A", "a1"), res("audio:B", "b1"), res("audio:C", "c"), res(coverResource, "c1")},
			map[string]bool{"audio:C": true}},
		{"track removed: nothing", []record.DeliveredFile{res("audio:A", "a1"), res(coverResource, "c1")}, map[string]bool{}},
		{"audio and cover changed", []record.DeliveredFile{res("audio:A", "a1"), res("audio:B", "b2"), res(coverResource, "c2")},
			map[string]bool{"audio:A": true, "audio:B": true, coverResource: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Resend(delivered, tt.now); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Resend = %v, want %v", got, tt.want)
			}
		})
	}
}
