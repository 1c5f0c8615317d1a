package pipeline

import (
	"runtime"
	"runtime/debug"
	"sync"
)

// BuildInfo says which ferry this is: the version set at build time
// (Version), else the module version, else "dev"; and, from the Go
// toolchain's VCS stamping (debug.ReadBuildInfo), the commit, its time
// and whether the tree had uncommitted changes. A plain `go build` in a
// clone therefore names its commit even without -ldflags.
type BuildInfo struct {
	Version   string `json:"version"`
	Revision  string `json:"revision,omitempty"`
	Time      string `json:"vcs_time,omitempty"` // the commit's time, RFC 3339
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"go_version"`
}

// Build returns this binary's BuildInfo.
var Build = sync.OnceValue(func() BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return buildInfo(Version, bi)
})

// buildInfo combines the -ldflags version with the toolchain's build
// information (nil when the binary carries none).
func buildInfo(version string, bi *debug.BuildInfo) BuildInfo {
	b := BuildInfo{Version: version, GoVersion: runtime.Version()}
	if bi == nil {
		return b
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	if b.Version == "dev" {
		switch {
		case bi.Main.Version != "" && bi.Main.Version != "(devel)":
			b.Version = bi.Main.Version // go install …@version
		case b.Revision != "":
			b.Version = "dev-" + short(b.Revision)
			if b.Modified {
				b.Version += "-dirty"
			}
		}
	}
	return b
}

// String is the one-line form `ferry version` prints.
func (b BuildInfo) String() string {
	s := "ferry " + b.Version
	if b.Revision != "" {
		s += " (commit " + short(b.Revision)
		if b.Time != "" {
			s += " of " + b.Time
		}
		if b.Modified {
			s += ", modified"
		}
		s += ")"
	}
	return s + " " + b.GoVersion + " " + runtime.GOOS + "/" + runtime.GOARCH
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
