package stages

import (
	"reflect"
	"testing"
)

func TestResendFollowsRule12(t *testing.T) {
	res := func(r, h string) DeliveredFile { return DeliveredFile{Role: RoleResource, Resource: r, BLAKE3: h} }
	delivered := &Delivery{Files: []DeliveredFile{res("audio:A", "a1"), res("audio:B", "b1"), res(coverResource, "c1"),
		{Role: RoleMessage, BLAKE3: "m1"}}}
	tests := []struct {
		name string
		now  []DeliveredFile
		want map[string]bool
	}{
		{"nothing changed", []DeliveredFile{res("audio:A", "a1"), res("audio:B", "b1"), res(coverResource, "c1")}, map[string]bool{}},
		{"one audio changed: all audio", []DeliveredFile{res("audio:A", "a2"), res("audio:B", "b1"), res(coverResource, "c1")},
			map[string]bool{"audio:A": true, "audio:B": true}},
		{"cover changed: secondaries only", []DeliveredFile{res("audio:A", "a1"), res("audio:B", "b1"), res(coverResource, "c2")},
			map[string]bool{coverResource: true}},
		{"track added: the new one", []DeliveredFile{res("audio:A", "a1"), res("audio:B", "b1"), res("audio:C", "c"), res(coverResource, "c1")},
			map[string]bool{"audio:C": true}},
		{"track removed: nothing", []DeliveredFile{res("audio:A", "a1"), res(coverResource, "c1")}, map[string]bool{}},
		{"audio and cover changed", []DeliveredFile{res("audio:A", "a1"), res("audio:B", "b2"), res(coverResource, "c2")},
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
