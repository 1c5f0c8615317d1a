package ern

import "testing"

func TestCompactWhitespace(t *testing.T) {
	cases := []struct{ in, want string }{
		{"<a>\n  <b>x</b>\n</a>", "<a><b>x</b></a>"},
		{"<a> x </a>", "<a> x </a>"},                            // text keeps its spaces
		{"<a><![CDATA[> <]]></a>", "<a><![CDATA[> <]]></a>"},    // CDATA untouched
		{"<a><!-- > < --> <b/></a>", "<a><!-- > < --><b/></a>"}, // comment untouched
		{"<a>\t\r\n</a>", "<a></a>"},
		{"<a><![CDATA[open", "<a><![CDATA[open"},
	}
	for _, c := range cases {
		if got := string(compactWhitespace([]byte(c.in), nil)); got != c.want {
			t.Errorf("compactWhitespace(%q) = %q, want %q", c.in, got, c.want)
		}
		in := []byte(c.in)
		if got := string(compactWhitespace(in, in[:0])); got != c.want {
			t.Errorf("compactWhitespace(%q) in place = %q, want %q", c.in, got, c.want)
		}
	}
}
