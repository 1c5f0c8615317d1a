package ern

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden compares every fixture written in every version with its
// golden file (testdata/golden/<version>/<fixture>.xml); run
// `go test ./ern -update` to accept a change, then review the diff.
func TestGolden(t *testing.T) {
	for _, v := range Versions {
		for _, fx := range fixtures() {
			t.Run(string(v)+"/"+fx.name, func(t *testing.T) {
				got, err := Marshal(v, fx.msg)
				if err != nil {
					t.Fatal(err)
				}
				checkGolden(t, filepath.Join("testdata", "golden", v.Dir(), fx.name+".xml"), got)
			})
		}
	}
}

// checkGolden compares got with the golden file at path, or rewrites the
// file under -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ern -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file (run go test ./ern -update and review the diff):\n%s", path, firstDifference(want, got))
	}
}

// TestDeterministic writes each fixture twice, the second time from a
// copy, and wants the same bytes: no map order, clock or pointer leaks
// into the output.
func TestDeterministic(t *testing.T) {
	for _, v := range Versions {
		for _, fx := range fixtures() {
			a, err := Marshal(v, fx.msg)
			if err != nil {
				t.Fatal(err)
			}
			cp := *fx.msg
			cp.Release = cloneRelease(fx.msg.Release)
			b, err := Marshal(v, &cp)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s/%s: two writes differ:\n%s", v, fx.name, firstDifference(a, b))
			}
		}
	}
}

// firstDifference shows the first line where a and b differ.
func firstDifference(a, b []byte) string {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y []byte
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if !bytes.Equal(x, y) {
			return "line " + itoa(i+1) + ":\n  want: " + string(x) + "\n  got:  " + string(y)
		}
	}
	return "(no line differs)"
}
