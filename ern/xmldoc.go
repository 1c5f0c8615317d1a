package ern

import (
	"bytes"

	"github.com/beevik/etree"
)

// parseDoc builds the etree document of a (compacted, UTF-8) message
// with scanXML instead of encoding/xml, which spends most of a read on
// names and single-byte reads: it halves the time to read a message.
// Element and attribute names keep their prefix, as etree's own parser
// keeps them, so namespaces resolve the same. When scanXML finds the
// document malformed, etree's parser reads it instead: it accepts what
// scanXML does not know (an entity declared in a DOCTYPE), and its error
// is the one reported.
func parseDoc(data []byte) (*etree.Document, error) {
	doc := etree.NewDocument()
	b := &docBuilder{doc: doc}
	if err := scanXML(data, b); err == nil {
		return doc, nil
	}
	doc = etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, err
	}
	return doc, nil
}

// docBuilder is the xmlHandler that builds the etree document.
type docBuilder struct {
	doc   *etree.Document
	cur   *etree.Element
	stack []*etree.Element
	buf   []byte // the current element's text before its first child
	kids  bool   // the current element has child elements
	esc   []byte
}

func (b *docBuilder) start(name []byte, attrs []xmlAttr) {
	b.flush()
	var e *etree.Element
	if b.cur == nil {
		e = b.doc.CreateElement(string(name))
	} else {
		e = b.cur.CreateElement(string(name))
	}
	for _, a := range attrs {
		v := a.value
		if bytes.IndexByte(v, '&') >= 0 {
			if u, err := unescapeXML(b.esc[:0], v); err == nil {
				b.esc, v = u, u
			}
		}
		e.CreateAttr(string(a.name), string(v))
	}
	b.stack = append(b.stack, e)
	b.cur, b.kids = e, false
}

// flush gives the current element the text read so far, before a child
// starts or it ends (ERN is data: text and children do not mix).
func (b *docBuilder) flush() {
	if b.cur != nil && len(b.buf) > 0 && !b.kids {
		b.cur.SetText(string(b.buf))
	}
	b.buf = b.buf[:0]
	if b.cur != nil {
		b.kids = true
	}
}

func (b *docBuilder) end([]byte) {
	if len(b.buf) > 0 && !b.kids {
		b.cur.SetText(string(b.buf))
	}
	b.buf = b.buf[:0]
	b.stack = b.stack[:len(b.stack)-1]
	if n := len(b.stack); n > 0 {
		b.cur, b.kids = b.stack[n-1], true
	} else {
		b.cur = nil
	}
}

// text collects character data, line ends normalized as XML requires
// ("\r\n" and a lone "\r" are "\n").
func (b *docBuilder) text(t []byte) {
	if bytes.IndexByte(t, '\r') < 0 {
		b.buf = append(b.buf, t...)
		return
	}
	for i := 0; i < len(t); i++ {
		switch {
		case t[i] != '\r':
			b.buf = append(b.buf, t[i])
		case i+1 < len(t) && t[i+1] == '\n':
		default:
			b.buf = append(b.buf, '\n')
		}
	}
}
