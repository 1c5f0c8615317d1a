package config

import (
	"fmt"
	"strings"
	"testing"
)

func TestIndexLines(t *testing.T) {
	const text = `# a comment [not] = 1
title = "Harbour Lights"
notes = """
[deals]
start_date = "x"
"""
lit = '''
[[tracks]]
'''
esc = "a \" [deals] b"
p_line = { year = 2026, text = "℗ x" }
"quoted key" = 1
a . b = 2

[[tracks]]
isrc = "GB-EXR-26-00001"
artists = [
  { name = "A" },
  { name = "B", roles = ["MainArtist"] },
]

[[tracks]]
isrc = "GB-EXR-26-00002"
[[tracks.contributors]]
name = "C"
[tracks.extra]
k = 1

[dsp."my.dsp".sftp]
host = "h" # trailing
[[deals]]
territories = ["GB",
  "IE"]
`
	l := Index(text)
	tests := []struct {
		key  string
		want int
	}{
		{"title", 2},
		{"notes", 3},
		{"start_date", 0},
		{"deals", 31},
		{"lit", 7},
		{"tracks", 15},
		{"esc", 10},
		{"p_line", 11},
		{"p_line.text", 11},
		{`"quoted key"`, 12},
		{"a.b", 13},
		{"tracks[1]", 15},
		{"tracks[1].isrc", 16},
		{"tracks[1].artists[2].name", 19},
		{"tracks[1].artists[2].roles[1]", 19},
		{"tracks[2].isrc", 23},
		{"tracks[2].contributors[1].name", 25},
		{"tracks[2].extra.k", 27},
		{`dsp."my.dsp".sftp.host`, 30},
		{`dsp."my.dsp".sftp.port`, 29}, // missing: its table's line
		{"deals[1].territories[2]", 33},
		{"nosuch", 0},
	}
	for _, tt := range tests {
		if got := l.Line(tt.key); got != tt.want {
			t.Errorf("Line(%s) = %d, want %d", tt.key, got, tt.want)
		}
	}
}

// TestIndexHostileText feeds text that is not TOML: the scanner must end
// and never panic.
func TestIndexHostileText(t *testing.T) {
	for _, text := range []string{"", "[", "[[", "a", "a =", `a = "`, `a = """`, "a = [", "a = {", "a = [{", "= = =",
		"[a.\n", `"\`, "a = '''\n", "[[a]]]]", "a = [1,,2]", "a = {b=}", strings.Repeat("[", 1000), strings.Repeat("{", 1000)} {
		Index(text)
	}
}

// manyKeys is a release-file-like text with n unknown keys.
func manyKeys(n int) string {
	var b strings.Builder
	b.WriteString("title = \"x\"\n")
	for i := range n {
		fmt.Fprintf(&b, "k%05d=1\n", i)
	}
	return b.String()
}

// TestIndexLargeFile places every one of 100,000 keys (800 KB) on
// its line in one scan; KeyLine once re-split the file per key, which
// took minutes on this input.
func TestIndexLargeFile(t *testing.T) {
	const n = 100_000
	l := Index(manyKeys(n))
	for _, i := range []int{0, 1, n / 2, n - 1} {
		if got, want := l.Line(fmt.Sprintf("k%05d", i)), i+2; got != want {
			t.Errorf("k%05d on line %d, want %d", i, got, want)
		}
	}
	type target struct {
		Title string `toml:"title"`
	}
	var v target
	_, is := Decode(manyKeys(n), &v)
	if v.Title != "x" {
		t.Errorf("title %q", v.Title)
	}
	if len(is) != MaxIssues+1 || is[0].Line != 2 || is[0].Key != "k00000" || !strings.Contains(is[MaxIssues].Msg, fmt.Sprint(n-MaxIssues)) {
		t.Errorf("%d issues, first %v, last %v", len(is), is[0], is[len(is)-1])
	}
}

// BenchmarkDecodeManyUnknownKeys decodes an 800 KB file of 100,000
// unknown keys: parse, line index and report.
func BenchmarkDecodeManyUnknownKeys(b *testing.B) {
	text := manyKeys(100_000)
	b.SetBytes(int64(len(text)))
	var v struct {
		Title string `toml:"title"`
	}
	for b.Loop() {
		Decode(text, &v)
	}
}

// BenchmarkIndex is the line index alone over the same 800 KB file.
func BenchmarkIndex(b *testing.B) {
	text := manyKeys(100_000)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Index(text)
	}
}
