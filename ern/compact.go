package ern

import "bytes"

// compactWhitespace drops the indentation between tags (whitespace-only
// text between '>' and '<') before parsing. ERN is data, not mixed
// content, so that whitespace carries nothing; not building it roughly
// halves what the XML decoder does for an indented message. CDATA
// sections and comments are copied untouched. The result is appended to
// out, which may be in[:0]: the output never gets ahead of the input, so
// compacting in place is safe.
func compactWhitespace(in, out []byte) []byte {
	i := 0
	for i < len(in) {
		if in[i] == '<' {
			if end := opaqueEnd(in[i:]); end > 0 {
				out = append(out, in[i:i+end]...)
				i += end
				i = skipIndent(in, i)
				continue
			} else if end < 0 {
				return append(out, in[i:]...)
			}
		}
		c := in[i]
		out = append(out, c)
		i++
		if c == '>' {
			i = skipIndent(in, i)
		}
	}
	return out
}

// opaqueEnd is the length of the CDATA section or comment starting at
// in[0], 0 when none starts there, -1 when it is not closed.
func opaqueEnd(in []byte) int {
	var closing []byte
	switch {
	case bytes.HasPrefix(in, []byte("<![CDATA[")):
		closing = []byte("]]>")
	case bytes.HasPrefix(in, []byte("<!--")):
		closing = []byte("-->")
	default:
		return 0
	}
	end := bytes.Index(in, closing)
	if end < 0 {
		return -1
	}
	return end + len(closing)
}

// skipIndent returns the index after the whitespace at in[i:] when a tag
// follows it, else i.
func skipIndent(in []byte, i int) int {
	j := i
	for j < len(in) && (in[j] == ' ' || in[j] == '\n' || in[j] == '\r' || in[j] == '\t') {
		j++
	}
	if j < len(in) && in[j] == '<' {
		return j
	}
	return i
}
