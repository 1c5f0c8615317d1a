// Command mkexample writes the media files of ferry's example release
// into a folder: two short sine-tone tracks and a 3000×3000 cover, named
// as the example release.toml references them. They are generated, not
// committed, so the repository stays small:
//
//	go run ./testdata/mkexample testdata/example
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ferrydelivery/ferry/stages/media/mediatest"
)

// exampleFiles is the example release's media: name and how to make it.
var exampleFiles = []struct {
	name  string
	write func(path string) error
}{
	{"01-first-light.wav", func(p string) error { return mediatest.WriteWAV(p, 44100, 16, 2, 2500*time.Millisecond) }},
	{"02-harbour-lights.flac", func(p string) error { return mediatest.WriteFLAC(p, 44100, 16, 2, 3*time.Second) }},
	{"cover.jpg", func(p string) error { return mediatest.WriteJPEG(p, mediatest.CoverSize, mediatest.CoverSize) }},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./testdata/mkexample DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "mkexample:", err)
		os.Exit(1)
	}
	for _, f := range exampleFiles {
		p := filepath.Join(dir, f.name)
		if err := f.write(p); err != nil {
			fmt.Fprintf(os.Stderr, "mkexample: %s: %v\n", p, err)
			os.Exit(1)
		}
	}
}
