// Command mkexample writes the example release's media (two short tracks
// and a 3000×3000 cover) into a folder, so that no binary media is kept
// in git: go run ./testdata/mkexample testdata/example
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ferrydelivery/ferry/stages/media/mediatest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mkexample DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	steps := []struct {
		name  string
		write func(string) error
	}{
		{"01-first-light.wav", func(p string) error { return mediatest.WriteWAV(p, 44100, 16, 2, 2*time.Second) }},
		{"02-harbour-lights.flac", func(p string) error { return mediatest.WriteFLAC(p, 44100, 16, 2, 3*time.Second) }},
		{"cover.jpg", func(p string) error { return mediatest.WriteJPEG(p, 3000, 3000) }},
	}
	for _, s := range steps {
		p := filepath.Join(dir, s.name)
		if _, err := os.Stat(p); err == nil {
			continue
		}
		if err := s.write(p); err != nil {
			fmt.Fprintf(os.Stderr, "mkexample: %s: %v\n", p, err)
			os.Exit(1)
		}
	}
}
