package ern

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// TestParseDocMatchesEtree builds the document of every official sample
// and of ferry's messages with parseDoc and with etree's own parser: the
// trees must be the same (names with their prefixes, namespaces,
// attributes, texts).
func TestParseDocMatchesEtree(t *testing.T) {
	docs := map[string][]byte{}
	for _, path := range samples(t) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		docs[path] = b
	}
	for _, fx := range fixtures() {
		for _, v := range []Version{V382, V43} {
			b, err := Marshal(v, fx.msg)
			if err != nil {
				t.Fatal(err)
			}
			docs[string(v)+"/"+fx.name] = b
		}
	}
	docs["escapes"] = []byte("<?xml version=\"1.0\"?>\n<ern:A xmlns:ern=\"urn:x\" v=\"R&amp;B &quot;x&quot;\"><B>line\r\none\rtwo</B><C><![CDATA[<raw>]]> &amp; more</C></ern:A>")
	for name, b := range docs {
		data := compactWhitespace(b, nil)
		got, err := parseDoc(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := etree.NewDocument()
		if err := want.ReadFromBytes(data); err != nil {
			t.Fatalf("%s: etree: %v", name, err)
		}
		if g, w := dump(got.Root()), dump(want.Root()); g != w {
			t.Errorf("%s: parseDoc and etree differ:\n%s", name, firstDiff(g, w))
		}
		if got.Root().NamespaceURI() != want.Root().NamespaceURI() {
			t.Errorf("%s: namespace %q, want %q", name, got.Root().NamespaceURI(), want.Root().NamespaceURI())
		}
	}
}

func dump(e *etree.Element) string {
	var b strings.Builder
	var walk func(e *etree.Element, depth int)
	walk = func(e *etree.Element, depth int) {
		fmt.Fprintf(&b, "%d %s:%s", depth, e.Space, e.Tag)
		for _, a := range e.Attr {
			fmt.Fprintf(&b, " %s:%s=%q", a.Space, a.Key, a.Value)
		}
		fmt.Fprintf(&b, " %q\n", strings.TrimSpace(e.Text()))
		for _, c := range e.ChildElements() {
			walk(c, depth+1)
		}
	}
	walk(e, 0)
	return b.String()
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n got  %s\n want %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(al), len(bl))
}
