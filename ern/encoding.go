package ern

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
)

// toUTF8 turns a message into UTF-8 before it is parsed, as an XML
// parser must: a byte-order mark (UTF-8, UTF-16 LE or BE) decides, else
// the XML declaration's encoding (ISO-8859-1, windows-1252… any IANA
// name x/text knows), else the document is UTF-8. The declaration of a
// converted document is rewritten to say UTF-8, so the parser that
// follows needs no charset reader and every later step sees UTF-8.
func toUTF8(data []byte) ([]byte, error) {
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return checkUTF8(data[3:])
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{'<', 0, '?', 0}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
		if data[0] == '<' {
			enc = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
		}
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0, '<', 0, '?'}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
		if data[0] == 0 {
			enc = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
		}
	}
	if enc != nil {
		out, err := enc.NewDecoder().Bytes(data)
		if err != nil {
			return nil, fmt.Errorf("decode UTF-16: %w", err)
		}
		return declareUTF8(out), nil
	}
	name := declaredEncoding(data)
	switch strings.ToLower(name) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return checkUTF8(data)
	case "utf-16", "utf-16le", "utf-16be":
		return nil, fmt.Errorf("the XML declaration says %s, but the message has no UTF-16 byte-order mark and is not UTF-16", name)
	}
	enc, err := ianaindex.IANA.Encoding(name)
	if err != nil || enc == nil {
		return nil, fmt.Errorf("the XML declaration names encoding %q, which ferry does not know (use UTF-8, UTF-16 or ISO-8859-1)", name)
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	return declareUTF8(out), nil
}

// xmlDecl matches the XML declaration and its encoding pseudo-attribute.
var xmlDecl = regexp.MustCompile(`^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["'][^>]*\?>`)

// declaredEncoding is the encoding named by the XML declaration at the
// start of data, "" when there is none.
func declaredEncoding(data []byte) string {
	head := data
	if len(head) > 512 {
		head = head[:512]
	}
	m := xmlDecl.FindSubmatch(head)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// declareUTF8 drops a leading BOM and replaces the declaration's
// encoding with UTF-8.
func declareUTF8(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	head := data
	if len(head) > 512 {
		head = head[:512]
	}
	loc := xmlDecl.FindSubmatchIndex(head)
	if loc == nil {
		return data
	}
	out := make([]byte, 0, len(data))
	out = append(out, data[:loc[2]]...)
	out = append(out, "UTF-8"...)
	return append(out, data[loc[3]:]...)
}

// checkUTF8 refuses bytes that are not UTF-8, as an XML parser must (the
// DealList scanner does not decode characters).
func checkUTF8(data []byte) ([]byte, error) {
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return nil, fmt.Errorf("byte %d is not UTF-8: declare the message's encoding in its XML declaration, or save it as UTF-8", i)
	}
	return data, nil
}
