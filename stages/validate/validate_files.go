package validate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/ferrydelivery/ferry/stages/files"
	"github.com/ferrydelivery/ferry/stages/record"
	"golang.org/x/text/unicode/norm"
)

// fileProblem is why a referenced file cannot be used: a rule, what is
// wrong and how to fix it.
type fileProblem struct {
	rule, what, fix string
}

func (e *fileProblem) Error() string { return e.what }

// resolved is a referenced file found inside the release folder.
type resolved struct {
	rel  string      // path relative to the folder, links resolved, names as on disk
	path string      // path relative to the folder as found, names as on disk, links not resolved
	info fs.FileInfo // of the final file
	// normalized is set when a name matched only after Unicode NFC
	// normalization (release.toml and the disk use different forms).
	normalized bool
}

// folder resolves file references against one release folder, caching
// directory listings for the name comparisons.
type folder struct {
	dir      string // as given
	root     string // dir with links resolved
	listings map[string][]string
}

func newFolder(dir string) (*folder, error) {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("release folder: %w", err)
	}
	return &folder{dir: dir, root: root, listings: map[string][]string{}}, nil
}

// InsideFolder resolves name against dir and returns its path relative to
// dir, links resolved, when it is an existing, non-empty regular file that
// stays inside dir. Anything else is an error saying why.
func InsideFolder(dir, name string) (string, error) {
	f, err := newFolder(dir)
	if err != nil {
		return "", err
	}
	r, err := f.resolve(name)
	if err != nil {
		return "", err
	}
	return r.rel, nil
}

// resolve finds the file name refers to. Names are compared exactly
// first, then after NFC normalization (a folder copied from a Mac has
// NFD names; release.toml usually holds NFC), component by component.
// The result must be a non-empty regular file inside the folder once
// every link is resolved.
func (f *folder) resolve(name string) (*resolved, error) {
	if p := refusedName(name); p != nil {
		return nil, p
	}
	var (
		parts      = strings.Split(filepath.Clean(filepath.FromSlash(name)), string(filepath.Separator))
		onDisk     []string
		normalized bool
	)
	for i, part := range parts {
		parent := filepath.Join(append([]string{f.dir}, onDisk...)...)
		got, norm, err := f.findEntry(parent, part)
		if err != nil {
			if p, ok := err.(*fileProblem); ok && p.rule == ruleFileMissing && len(parts) > 1 {
				if i < len(parts)-1 {
					p.what = fmt.Sprintf("%q does not exist: there is no folder %q in the release folder", name, filepath.ToSlash(filepath.Join(append(onDisk, part)...)))
				} else {
					p.what = strings.Replace(p.what, fmt.Sprintf("%q does not exist in the release folder", part),
						fmt.Sprintf("%q does not exist: folder %q has no %q", name, filepath.ToSlash(filepath.Join(onDisk...)), part), 1)
				}
			}
			return nil, err
		}
		onDisk = append(onDisk, got)
		normalized = normalized || norm
	}
	path := filepath.Join(append([]string{f.dir}, onDisk...)...)
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, linkError(name, err)
	}
	rel, err := filepath.Rel(f.root, real)
	if err != nil || !filepath.IsLocal(rel) {
		return nil, &fileProblem{ruleFileOutside, fmt.Sprintf("%q is a link leading outside the release folder", name),
			"copy the file itself into the release folder instead of linking to it"}
	}
	if first := strings.Split(rel, string(filepath.Separator))[0]; first == record.ItemDir {
		return nil, &fileProblem{ruleFileOutside, fmt.Sprintf("%q leads into ferry's own %s folder", name, record.ItemDir),
			"reference the files you put into the release folder, not ferry's copies"}
	}
	fi, err := os.Stat(real)
	if err != nil {
		return nil, openProblem(name, err)
	}
	if p := notRegular(name, fi); p != nil {
		return nil, p
	}
	if fi.Size() == 0 {
		return nil, &fileProblem{ruleFileEmpty, fmt.Sprintf("%q is empty (0 bytes)", name),
			"copy the file again: the copy or export was interrupted"}
	}
	if err := canOpen(real); err != nil {
		return nil, openProblem(name, err)
	}
	return &resolved{rel: rel, path: filepath.Join(onDisk...), info: fi, normalized: normalized}, nil
}

// refusedName rejects references that can only point outside the folder
// or that ferry refuses on principle.
func refusedName(name string) *fileProblem {
	fix := "write the file's name relative to the release folder, e.g. \"01-track.wav\" or \"audio/01-track.wav\""
	switch {
	case !utf8.ValidString(name) || strings.ContainsRune(name, 0):
		return &fileProblem{ruleFileMissing, fmt.Sprintf("%q is not a valid file name", name), fix}
	case filepath.IsAbs(name) || isWindowsAbs(name):
		return &fileProblem{ruleFileOutside, fmt.Sprintf("%q is an absolute path; files must be inside the release folder", name), fix}
	}
	for _, part := range strings.Split(filepath.ToSlash(name), "/") {
		if part == ".." {
			return &fileProblem{ruleFileOutside, fmt.Sprintf("%q uses \"..\"; files must be inside the release folder", name), fix}
		}
	}
	return nil
}

func isWindowsAbs(name string) bool {
	return len(name) >= 3 && name[1] == ':' && (name[2] == '\\' || name[2] == '/') &&
		(name[0]|0x20 >= 'a' && name[0]|0x20 <= 'z') ||
		strings.HasPrefix(name, `\\`)
}

// findEntry finds the entry of parent named part: exactly, or equal after
// NFC normalization. It reports ambiguity (two entries differing only in
// normalization) and suggests a name differing only in case when there
// is none.
func (f *folder) findEntry(parent, part string) (string, bool, error) {
	_, exactErr := os.Lstat(filepath.Join(parent, part))
	if exactErr != nil && !errors.Is(exactErr, fs.ErrNotExist) {
		return "", false, openProblem(part, exactErr)
	}
	ascii := isASCII(part)
	if exactErr == nil && ascii {
		return part, false, nil
	}
	entries, err := f.list(parent)
	if err != nil {
		if exactErr == nil {
			return part, false, nil
		}
		return "", false, openProblem(part, err)
	}
	want := norm.NFC.String(part)
	var same []string
	for _, e := range entries {
		if !ascii || !isASCII(e) {
			if norm.NFC.String(e) == want {
				same = append(same, e)
			}
		}
	}
	switch {
	case len(same) > 1:
		return "", false, &fileProblem{ruleFileAmbiguous,
			fmt.Sprintf("%d files are named %q, their names differing only in Unicode normalization (NFC and NFD forms of the same letters)", len(same), want),
			"keep one of them and delete the others"}
	case exactErr == nil:
		return part, false, nil
	case len(same) == 1:
		return same[0], true, nil
	}
	return "", false, missing(part, entries)
}

// missing says that part does not exist, naming an entry differing only
// in letter case or a backslash, which are the usual slips.
func missing(part string, entries []string) *fileProblem {
	p := &fileProblem{ruleFileMissing, fmt.Sprintf("%q does not exist in the release folder", part),
		"add the file, or correct its name in release.toml"}
	want := norm.NFC.String(part)
	for _, e := range entries {
		if strings.EqualFold(norm.NFC.String(e), want) {
			p.what += fmt.Sprintf("; there is %q, whose name differs in upper/lower case (names are case-sensitive)", e)
			p.fix = fmt.Sprintf("write %q in release.toml, or rename the file", e)
			return p
		}
	}
	if strings.Contains(part, `\`) {
		p.fix = `separate folders with "/", not "\"`
	}
	return p
}

func (f *folder) list(dir string) ([]string, error) {
	if l, ok := f.listings[dir]; ok {
		return l, nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	// A folder of a release holds a few dozen entries; a hostile one with
	// millions is read only this far.
	names, err := d.Readdirnames(maxFolderEntries)
	if err != nil && len(names) == 0 {
		return nil, err
	}
	f.listings[dir] = names
	return names, nil
}

// maxFolderEntries bounds how many entries of one folder are compared.
const maxFolderEntries = 10000

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func notRegular(name string, fi fs.FileInfo) *fileProblem {
	kind := files.Kind(fi.Mode())
	if kind == "" {
		return nil
	}
	return &fileProblem{ruleFileNotRegular, fmt.Sprintf("%q is %s, not a file", name, kind),
		"replace it with the real file, or correct the name in release.toml"}
}

// canOpen opens the file without blocking (the checks above make a FIFO
// impossible, but the file may be swapped meanwhile) and closes it.
func canOpen(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

func linkError(name string, err error) *fileProblem {
	switch {
	case strings.Contains(err.Error(), "too many links"): // filepath.EvalSymlinks' own loop error
		return &fileProblem{ruleFileUnreadable, fmt.Sprintf("%q is a link that leads back to itself (a link loop)", name),
			"copy the file itself into the release folder instead of linking to it"}
	case errors.Is(err, fs.ErrNotExist):
		return &fileProblem{ruleFileMissing, fmt.Sprintf("%q is a link to a file that does not exist", name),
			"copy the file itself into the release folder instead of linking to it"}
	case errors.Is(err, syscall.ELOOP):
		return &fileProblem{ruleFileUnreadable, fmt.Sprintf("%q is a link that leads back to itself (a link loop)", name),
			"copy the file itself into the release folder instead of linking to it"}
	}
	return openProblem(name, err)
}

func openProblem(name string, err error) *fileProblem {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrPermission):
		return &fileProblem{ruleFileUnreadable, fmt.Sprintf("%q cannot be read: permission denied", name),
			"let ferry's user read the file (e.g. chmod a+r), or copy it again"}
	case errors.Is(err, syscall.ELOOP):
		return &fileProblem{ruleFileUnreadable, fmt.Sprintf("%q is a link that leads back to itself (a link loop)", name),
			"copy the file itself into the release folder instead of linking to it"}
	case errors.Is(err, fs.ErrNotExist):
		return &fileProblem{ruleFileMissing, fmt.Sprintf("%q does not exist in the release folder", name),
			"add the file, or correct its name in release.toml"}
	}
	return &fileProblem{ruleFileUnreadable, fmt.Sprintf("%q cannot be read: %v", name, err),
		"check the file and the disk, then copy the file again"}
}

// audioExtensions are the names of audio files: a file named like this
// that no track references was probably forgotten.
var audioExtensions = map[string]bool{
	".wav": true, ".wave": true, ".bwf": true, ".flac": true, ".aif": true, ".aiff": true, ".aifc": true,
	".mp3": true, ".m4a": true, ".aac": true, ".alac": true, ".ogg": true, ".oga": true, ".opus": true,
	".wv": true, ".ape": true, ".caf": true, ".w64": true, ".rf64": true, ".dsf": true, ".dff": true,
}

// maxWalkEntries bounds the search for unreferenced audio.
const maxWalkEntries = 20000

// unreferencedAudio lists the audio files in the folder (not in .ferry,
// not following links to folders) that no reference resolved to, with
// what they are when they are not regular files.
func (f *folder) unreferencedAudio(used map[string]bool) []Problem {
	var ps []Problem
	n := 0
	filepath.WalkDir(f.dir, func(path string, d fs.DirEntry, err error) error {
		n++
		if n > maxWalkEntries {
			return filepath.SkipAll
		}
		if err != nil {
			return nil
		}
		rel, rerr := filepath.Rel(f.dir, path)
		if rerr != nil || rel == "." {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") { // .ferry, and hidden files such as macOS "._name.wav" resource forks
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !audioExtensions[strings.ToLower(filepath.Ext(d.Name()))] || used[rel] {
			return nil
		}
		what := fmt.Sprintf("%q is in the release folder but no track references it", filepath.ToSlash(rel))
		if kind := files.Kind(d.Type()); kind != "" {
			what = fmt.Sprintf("%q is named like an audio file but is %s, and no track references it", filepath.ToSlash(rel), kind)
		}
		ps = append(ps, Problem{Rule: ruleFileUnreferenced, Where: filepath.ToSlash(rel), What: what,
			Fix: "add a [[tracks]] entry for it, or remove it from the folder"})
		if d.IsDir() {
			return filepath.SkipDir
		}
		return nil
	})
	return ps
}
