package config

import (
	"strconv"
	"strings"
)

// Lines maps every key written in a TOML text to the line it is written
// on, so that problems can name the line. The TOML library keeps key
// positions private, so Index scans the text once itself: table headers,
// arrays of tables, dotted and quoted keys, inline tables and arrays of
// them, and strings of every kind (a multi-line string holding "[deals]"
// is text, not a header).
//
// Keys are written as Path writes them: parts joined by dots, quoted
// when not bare, and the elements of arrays numbered from 1 in brackets
// ("tracks[2].isrc", "dsp.spotify.sftp.host").
type Lines struct {
	line map[string]int
}

// Index scans text once and returns the line of every key in it. It
// takes time linear in the text's length whatever the text; on text that
// is not valid TOML it indexes what it can.
func Index(text string) *Lines {
	s := &lineScanner{text: text, line: 1, lines: &Lines{line: map[string]int{}}, count: map[string]int{}}
	s.scan()
	return s.lines
}

// Line returns the line on which key is written, or else the line of its
// nearest enclosing table or array element that is written (a required
// setting that is missing is reported on its table's line). It returns 0
// when nothing of the key is in the text.
func (l *Lines) Line(key string) int {
	if l == nil {
		return 0
	}
	for key != "" {
		if n, ok := l.line[key]; ok {
			return n
		}
		key = parentKey(key)
	}
	return 0
}

// Has reports whether key itself is written in the text.
func (l *Lines) Has(key string) bool {
	if l == nil {
		return false
	}
	_, ok := l.line[key]
	return ok
}

// parentKey drops the last part of a key: "a.b[2]" → "a.b", "a.b" → "a".
func parentKey(key string) string {
	if strings.HasSuffix(key, "]") {
		if i := strings.LastIndexByte(key, '['); i >= 0 {
			return key[:i]
		}
	}
	// The last dot outside quotes.
	last, quoted := -1, false
	for i := 0; i < len(key); i++ {
		switch key[i] {
		case '"':
			quoted = !quoted
		case '\\':
			if quoted {
				i++
			}
		case '.':
			if !quoted {
				last = i
			}
		}
	}
	if last < 0 {
		return ""
	}
	return key[:last]
}

// Path joins key parts as Lines and problem reports write them.
func Path(parent, part string) string {
	if !bareKey(part) {
		part = strconv.Quote(part)
	}
	if parent == "" {
		return part
	}
	return parent + "." + part
}

// Element is the path of the n-th element (from 1) of the array at key.
func Element(key string, n int) string { return key + "[" + strconv.Itoa(n) + "]" }

func bareKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// lineScanner is a lexer for TOML that only follows keys: values are
// skipped, strings and comments stepped over. Every step consumes at
// least one byte, so it ends on any input.
type lineScanner struct {
	text  string
	pos   int
	line  int
	lines *Lines
	// count numbers the elements of each array of tables ("tracks",
	// "tracks[2].artists").
	count map[string]int
}

func (s *lineScanner) add(key string, line int) {
	if _, ok := s.lines.line[key]; !ok {
		s.lines.line[key] = line
	}
}

// addAll records key and each of its parents not yet seen (a dotted key
// or header defines its parent tables where it stands).
func (s *lineScanner) addAll(key string, line int) {
	for k := key; k != ""; k = parentKey(k) {
		s.add(k, line)
	}
}

func (s *lineScanner) peek(off int) byte {
	if s.pos+off < len(s.text) {
		return s.text[s.pos+off]
	}
	return 0
}

// skipBlank steps over spaces, tabs, and (when newlines) line breaks and
// comments.
func (s *lineScanner) skipBlank(newlines bool) {
	for s.pos < len(s.text) {
		switch c := s.text[s.pos]; {
		case c == ' ' || c == '\t' || c == '\r':
			s.pos++
		case c == '\n' && newlines:
			s.line++
			s.pos++
		case c == '#' && newlines:
			s.skipComment()
		default:
			return
		}
	}
}

func (s *lineScanner) skipComment() {
	for s.pos < len(s.text) && s.text[s.pos] != '\n' {
		s.pos++
	}
}

// skipLine steps to the start of the next line.
func (s *lineScanner) skipLine() {
	for s.pos < len(s.text) {
		c := s.text[s.pos]
		s.pos++
		if c == '\n' {
			s.line++
			return
		}
	}
}

func (s *lineScanner) scan() {
	table := ""
	for {
		s.skipBlank(true)
		if s.pos >= len(s.text) {
			return
		}
		line := s.line
		switch s.text[s.pos] {
		case '[':
			array := s.peek(1) == '['
			if array {
				s.pos += 2
			} else {
				s.pos++
			}
			parts, ok := s.key()
			if !ok {
				s.skipLine()
				continue
			}
			// A header names its tables with the array elements last
			// opened: [tracks.artists] after the second [[tracks]] is
			// "tracks[2].artists".
			key := ""
			for i, p := range parts {
				key = Path(key, p)
				if i < len(parts)-1 && s.count[key] > 0 {
					key = Element(key, s.count[key])
				}
			}
			if array {
				s.count[key]++
				s.addAll(key, line)
				key = Element(key, s.count[key])
			}
			table = key
			s.addAll(table, line)
			s.skipLine()
		default:
			parts, ok := s.key()
			if !ok || s.peek(0) != '=' {
				s.skipLine()
				continue
			}
			key := join(table, parts)
			s.addAll(key, line)
			s.pos++
			s.value(key)
		}
	}
}

func join(parent string, parts []string) string {
	for _, p := range parts {
		parent = Path(parent, p)
	}
	return parent
}

// key reads the parts of a dotted key, stopping before '=' or after the
// ']' or ']]' closing a header.
func (s *lineScanner) key() ([]string, bool) {
	var parts []string
	for {
		s.skipBlank(false)
		part, ok := s.keyPart()
		if !ok {
			return nil, false
		}
		parts = append(parts, part)
		s.skipBlank(false)
		switch s.peek(0) {
		case '.':
			s.pos++
		case ']':
			s.pos++
			if s.peek(0) == ']' {
				s.pos++
			}
			return parts, true
		default:
			return parts, true
		}
	}
}

func (s *lineScanner) keyPart() (string, bool) {
	switch c := s.peek(0); {
	case c == '"' || c == '\'':
		start := s.pos
		s.skipString()
		raw := s.text[start:s.pos]
		if c == '\'' {
			return strings.Trim(raw, "'"), true
		}
		if u, err := strconv.Unquote(raw); err == nil {
			return u, true
		}
		return strings.Trim(raw, `"`), true
	case c == 0:
		return "", false
	default:
		start := s.pos
		for s.pos < len(s.text) && isBare(s.text[s.pos]) {
			s.pos++
		}
		if s.pos == start {
			return "", false
		}
		return s.text[start:s.pos], true
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// value steps over the value of key: a string, an array (whose elements
// are key[1], key[2]…), an inline table (whose keys are under key) or a
// scalar.
func (s *lineScanner) value(key string) {
	s.skipBlank(false)
	switch s.peek(0) {
	case '"', '\'':
		s.skipString()
	case '[':
		s.pos++
		for n := 1; ; n++ {
			s.skipBlank(true)
			if c := s.peek(0); c == ']' || c == 0 {
				s.pos++
				return
			}
			el := Element(key, n)
			s.add(el, s.line)
			before := s.pos
			s.value(el)
			s.skipBlank(true)
			if s.peek(0) == ',' {
				s.pos++
			} else if s.pos == before {
				s.pos++ // not TOML: make progress
			}
		}
	case '{':
		s.pos++
		for {
			s.skipBlank(true)
			if c := s.peek(0); c == '}' || c == 0 {
				s.pos++
				return
			}
			line := s.line
			parts, ok := s.key()
			if !ok || s.peek(0) != '=' {
				s.pos++
				continue
			}
			k := join(key, parts)
			s.addAll(k, line)
			s.pos++
			s.value(k)
			s.skipBlank(true)
			if s.peek(0) == ',' {
				s.pos++
			}
		}
	default:
		for s.pos < len(s.text) {
			switch s.text[s.pos] {
			case ',', ']', '}', '\n', '#':
				return
			}
			s.pos++
		}
	}
}

// skipString steps over a basic, literal or multi-line string starting
// at pos, counting its line breaks. An unterminated one-line string ends
// at the line's end.
func (s *lineScanner) skipString() {
	q := s.text[s.pos]
	multi := s.peek(1) == q && s.peek(2) == q
	if multi {
		s.pos += 3
	} else {
		s.pos++
	}
	for s.pos < len(s.text) {
		c := s.text[s.pos]
		switch {
		case c == '\\' && q == '"':
			if s.peek(1) == '\n' {
				s.line++
			}
			s.pos += 2
			continue
		case c == '\n':
			if !multi {
				return
			}
			s.line++
		case c == q && !multi:
			s.pos++
			return
		case c == q && s.peek(1) == q && s.peek(2) == q:
			s.pos += 3
			// Up to two more quotes belong to the string ("""a"""").
			for i := 0; i < 2 && s.peek(0) == q; i++ {
				s.pos++
			}
			return
		}
		s.pos++
	}
	if s.pos > len(s.text) {
		s.pos = len(s.text)
	}
}
