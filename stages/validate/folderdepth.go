package validate

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
)

// A release folder holds its files a few folders down at most. A drop
// nesting thousands of folders (hostile, or a copy gone wrong) cannot be
// copied into each DSP's instance: paths grow past what the system can
// name (PATH_MAX, 4,096 bytes on Linux). Such a folder is refused at
// validation, saying so, instead of failing later at the copy.
const (
	maxFolderDepth = 32
	maxPathBytes   = 1024 // inside the release folder; the root's own path comes on top
)

// deepFolders reports the first folder nested deeper than maxFolderDepth,
// or path longer than maxPathBytes, in the release folder (not in .ferry,
// not following links).
func (f *folder) deepFolders() []Problem {
	var ps []Problem
	n := 0
	problem := func(what string) {
		ps = append(ps, Problem{Rule: ruleFolderDepth, Where: "folder", What: what,
			Fix: "keep the release's files at most a few folders down: move them up and remove the nested folders"})
	}
	filepath.WalkDir(f.dir, func(path string, d fs.DirEntry, err error) error {
		if n++; n > maxWalkEntries || len(ps) > 0 {
			return filepath.SkipAll
		}
		if err != nil {
			if errors.Is(err, syscall.ENAMETOOLONG) {
				problem("a path in the folder is longer than the system can name")
				return filepath.SkipAll
			}
			return nil
		}
		rel, rerr := filepath.Rel(f.dir, path)
		if rerr != nil || rel == "." {
			return nil
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir // .ferry, and hidden folders
		}
		switch depth := strings.Count(rel, string(filepath.Separator)) + 1; {
		case d.IsDir() && depth > maxFolderDepth:
			problem(fmt.Sprintf("folders are nested more than %d deep (%q…)", maxFolderDepth, abbreviate(filepath.ToSlash(rel))))
			return filepath.SkipAll
		case len(rel) > maxPathBytes:
			problem(fmt.Sprintf("a path in the folder is %d bytes long (at most %d): %q…", len(rel), maxPathBytes, abbreviate(filepath.ToSlash(rel))))
			return filepath.SkipAll
		}
		return nil
	})
	return ps
}

// abbreviate keeps the first 60 bytes of a long path for a message.
func abbreviate(path string) string {
	if len(path) <= 60 {
		return path
	}
	return strings.ToValidUTF8(path[:60], "")
}
