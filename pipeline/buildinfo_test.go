package pipeline

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuildInfo(t *testing.T) {
	vcs := func(rev, tm, modified string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: tm}, {Key: "vcs.modified", Value: modified}}}
	}
	const rev = "7317149aabbccddeeff00112233445566778899a"
	tests := []struct {
		name, version string
		bi            *debug.BuildInfo
		want          BuildInfo
		line          string
	}{
		{"plain go build", "dev", vcs(rev, "2026-12-05T13:00:00Z", "false"),
			BuildInfo{Version: "dev-7317149aabbc", Revision: rev, Time: "2026-12-05T13:00:00Z"}, "ferry dev-7317149aabbc (commit 7317149aabbc of 2026-12-05T13:00:00Z)"},
		{"dirty tree", "dev", vcs(rev, "2026-12-05T13:00:00Z", "true"),
			BuildInfo{Version: "dev-7317149aabbc-dirty", Revision: rev, Time: "2026-12-05T13:00:00Z", Modified: true}, ", modified)"},
		{"make build", "v1.2.0", vcs(rev, "2026-12-05T13:00:00Z", "false"),
			BuildInfo{Version: "v1.2.0", Revision: rev, Time: "2026-12-05T13:00:00Z"}, "ferry v1.2.0 (commit"},
		{"go install @version", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v1.3.0"}},
			BuildInfo{Version: "v1.3.0"}, "ferry v1.3.0 go"},
		{"no build info", "dev", nil, BuildInfo{Version: "dev"}, "ferry dev go"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildInfo(tt.version, tt.bi)
			got.GoVersion = ""
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			got.GoVersion = "go1.26"
			if !strings.Contains(got.String(), tt.line) {
				t.Errorf("String() = %q, want it to contain %q", got.String(), tt.line)
			}
		})
	}
}
