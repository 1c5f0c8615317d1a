package ern

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// A DealList can be most of a message: DSP-style messages repeat each
// deal per territory, 50,000 deals in 16 MB. Building a DOM of it costs
// ten times its size; scanXML walks it instead, calling back per start
// tag, end tag and text, without allocating. It checks what the rest of
// the reader relies on (tags closed in order, quoted attributes, known
// entities) and reports the rest as an error; it does not check names
// against the XML grammar.

// xmlAttr is one attribute of a start tag; both slices point into the
// document and the value is not unescaped (unescapeXML does it).
type xmlAttr struct{ name, value []byte }

// xmlHandler receives what scanXML finds. Names are as written, with
// their prefix (localName drops it); attrs and text are only valid
// during the call.
type xmlHandler interface {
	start(name []byte, attrs []xmlAttr)
	end(name []byte)
	text(t []byte)
}

// maxScanDepth bounds nesting: a DealList nests six levels deep.
const maxScanDepth = 64

// scanXML reads the element at the start of data (after leading
// whitespace) and everything in it.
func scanXML(data []byte, h xmlHandler) error {
	var stack [maxScanDepth][]byte
	depth := 0
	var attrs []xmlAttr
	var unescaped []byte
	i := 0
	for i < len(data) {
		if data[i] != '<' {
			j := bytes.IndexByte(data[i:], '<')
			if j < 0 {
				j = len(data) - i
			}
			t := data[i : i+j]
			if depth == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return fmt.Errorf("text outside the element at byte %d", i)
				}
			} else if bytes.IndexByte(t, '&') >= 0 {
				var err error
				if unescaped, err = unescapeXML(unescaped[:0], t); err != nil {
					return err
				}
				h.text(unescaped)
			} else {
				h.text(t)
			}
			i += j
			continue
		}
		rest := data[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			j := bytes.Index(rest, []byte("-->"))
			if j < 0 {
				return errors.New("a comment is not closed")
			}
			i += j + 3
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			j := bytes.Index(rest, []byte("]]>"))
			if j < 0 {
				return errors.New("a CDATA section is not closed")
			}
			if depth == 0 {
				return errors.New("CDATA outside the element")
			}
			h.text(rest[9:j])
			i += j + 3
		case bytes.HasPrefix(rest, []byte("<!DOCTYPE")) && depth == 0:
			j := bytes.IndexAny(rest, "[>")
			if j >= 0 && rest[j] == '[' {
				k := bytes.Index(rest[j:], []byte("]"))
				if k < 0 {
					return errors.New("a DOCTYPE is not closed")
				}
				j += k
				k = bytes.IndexByte(rest[j:], '>')
				if k < 0 {
					j = -1
				} else {
					j += k
				}
			}
			if j < 0 {
				return errors.New("a DOCTYPE is not closed")
			}
			i += j + 1
		case bytes.HasPrefix(rest, []byte("<!")):
			return errors.New("markup declaration <! that is not a comment, CDATA or DOCTYPE")
		case bytes.HasPrefix(rest, []byte("<?")):
			j := bytes.Index(rest, []byte("?>"))
			if j < 0 {
				return errors.New("a processing instruction is not closed")
			}
			i += j + 2
		case bytes.HasPrefix(rest, []byte("</")):
			j := bytes.IndexByte(rest, '>')
			if j < 0 {
				return errors.New("an end tag is not closed")
			}
			name := bytes.TrimRight(rest[2:j], " \t\r\n")
			if depth == 0 || !bytes.Equal(stack[depth-1], name) {
				return fmt.Errorf("end tag </%s> does not close the open element", truncName(name))
			}
			depth--
			h.end(name)
			i += j + 1
			if depth == 0 {
				return afterRoot(data[i:])
			}
		default:
			n, name, selfClosing, a, err := startTag(rest, attrs[:0])
			if err != nil {
				return err
			}
			attrs = a
			if depth == maxScanDepth {
				return fmt.Errorf("elements nested more than %d deep", maxScanDepth)
			}
			h.start(name, attrs)
			if selfClosing {
				h.end(name)
				if depth == 0 {
					return afterRoot(data[i+n:])
				}
			} else {
				stack[depth] = name
				depth++
			}
			i += n
		}
	}
	if depth > 0 {
		return fmt.Errorf("element <%s> is not closed", truncName(stack[depth-1]))
	}
	return errors.New("no element")
}

// startTag reads the start tag at the start of b ("<Name a='v'>"): its
// length, local name, whether it closes itself, its attributes.
func startTag(b []byte, attrs []xmlAttr) (n int, name []byte, selfClosing bool, _ []xmlAttr, _ error) {
	i := 1
	for i < len(b) && !isSpace(b[i]) && b[i] != '>' && b[i] != '/' {
		i++
	}
	if i == 1 || i >= len(b) {
		return 0, nil, false, attrs, errors.New("a start tag is not closed or has no name")
	}
	name = b[1:i]
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			return 0, nil, false, attrs, fmt.Errorf("start tag <%s> is not closed", truncName(name))
		}
		switch b[i] {
		case '>':
			return i + 1, name, false, attrs, nil
		case '/':
			if i+1 < len(b) && b[i+1] == '>' {
				return i + 2, name, true, attrs, nil
			}
			return 0, nil, false, attrs, fmt.Errorf("start tag <%s>: '/' not followed by '>'", truncName(name))
		}
		j := i
		for j < len(b) && b[j] != '=' && !isSpace(b[j]) && b[j] != '>' && b[j] != '/' {
			j++
		}
		an := b[i:j]
		for j < len(b) && isSpace(b[j]) {
			j++
		}
		if j >= len(b) || b[j] != '=' || len(an) == 0 {
			return 0, nil, false, attrs, fmt.Errorf("start tag <%s>: attribute without a value", truncName(name))
		}
		j++
		for j < len(b) && isSpace(b[j]) {
			j++
		}
		if j >= len(b) || (b[j] != '"' && b[j] != '\'') {
			return 0, nil, false, attrs, fmt.Errorf("start tag <%s>: attribute value not quoted", truncName(name))
		}
		q := b[j]
		k := bytes.IndexByte(b[j+1:], q)
		if k < 0 {
			return 0, nil, false, attrs, fmt.Errorf("start tag <%s>: attribute value not closed", truncName(name))
		}
		attrs = append(attrs, xmlAttr{name: an, value: b[j+1 : j+1+k]})
		i = j + 1 + k + 1
	}
}

// afterRoot checks what follows the root element: only whitespace,
// comments and processing instructions.
func afterRoot(b []byte) error {
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		switch {
		case len(b) == 0:
			return nil
		case bytes.HasPrefix(b, []byte("<!--")):
			j := bytes.Index(b, []byte("-->"))
			if j < 0 {
				return errors.New("a comment is not closed")
			}
			b = b[j+3:]
		case bytes.HasPrefix(b, []byte("<?")):
			j := bytes.Index(b, []byte("?>"))
			if j < 0 {
				return errors.New("a processing instruction is not closed")
			}
			b = b[j+2:]
		default:
			return errors.New("content after the root element")
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// localName drops a namespace prefix.
func localName(n []byte) []byte {
	if i := bytes.IndexByte(n, ':'); i >= 0 {
		return n[i+1:]
	}
	return n
}

func truncName(n []byte) string {
	if len(n) > 40 {
		n = n[:40]
	}
	return string(n)
}

// unescapeXML appends t to out with its entity and character references
// replaced.
func unescapeXML(out, t []byte) ([]byte, error) {
	for len(t) > 0 {
		i := bytes.IndexByte(t, '&')
		if i < 0 {
			return append(out, t...), nil
		}
		out = append(out, t[:i]...)
		t = t[i:]
		j := bytes.IndexByte(t, ';')
		if j < 0 || j > 12 {
			return out, errors.New("an & in text starts no entity")
		}
		ent := string(t[1:j])
		switch ent {
		case "amp":
			out = append(out, '&')
		case "lt":
			out = append(out, '<')
		case "gt":
			out = append(out, '>')
		case "quot":
			out = append(out, '"')
		case "apos":
			out = append(out, '\'')
		default:
			var r uint64
			var err error
			switch {
			case len(ent) > 2 && (ent[:2] == "#x" || ent[:2] == "#X"):
				r, err = strconv.ParseUint(ent[2:], 16, 32)
			case len(ent) > 1 && ent[0] == '#':
				r, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				return out, fmt.Errorf("unknown entity &%s;", ent)
			}
			if err != nil || !utf8.ValidRune(rune(r)) {
				return out, fmt.Errorf("bad character reference &%s;", ent)
			}
			out = utf8.AppendRune(out, rune(r))
		}
		t = t[j+1:]
	}
	return out, nil
}
