package config

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// IssueKind says what sort of problem an Issue is.
type IssueKind int

// Kinds of issues.
const (
	// Syntax: the text is not TOML; nothing else can be checked.
	Syntax IssueKind = iota
	// UnknownKey: the key is not a setting (or a field of release.toml).
	UnknownKey
	// WrongType: the value is of the wrong type (text for a number…).
	WrongType
	// BadValue: the value has the right type but is not allowed.
	BadValue
)

// Issue is one problem in a TOML file, with the line it is on.
type Issue struct {
	Kind IssueKind
	// Line is the line of the key (or of its nearest table written in
	// the file); 0 when neither is in the file.
	Line int
	// Key is the key in Path's form ("dsp.spotify.sftp.host"); empty
	// for a problem of the whole file.
	Key string
	// Msg says what is wrong, without the line or key.
	Msg string
	// Suggest is, for an unknown key, the nearest known key at its place
	// (in Path's form) when one is close: the key probably meant.
	Suggest string
}

// Error writes the issue as "line 12: workers.upload: …".
func (i Issue) Error() string {
	if i.Line > 0 {
		return fmt.Sprintf("line %d: %s", i.Line, i.What())
	}
	return i.What()
}

// What writes the issue without its line: "workers.upload: …", or the
// message alone when it already begins with the key ("dsp.a.s3.bucket is
// required …").
func (i Issue) What() string {
	if i.Key == "" || strings.HasPrefix(i.Msg, i.Key) {
		return i.Msg
	}
	return i.Key + ": " + i.Msg
}

// Issues is every problem found in one file, in the order of its lines.
type Issues []Issue

// Error writes one issue per line.
func (is Issues) Error() string {
	lines := make([]string, len(is))
	for i, x := range is {
		lines[i] = x.Error()
	}
	return strings.Join(lines, "\n")
}

// Sort orders the issues by line, keeping the order of issues on one
// line (and putting those with no line last).
func (is Issues) Sort() {
	sort.SliceStable(is, func(a, b int) bool {
		la, lb := is[a].Line, is[b].Line
		if la == 0 || lb == 0 {
			return la != 0 && lb == 0
		}
		return la < lb
	})
}

// MaxIssues bounds the issues Decode reports for one file: a file with
// 100,000 unknown keys gets MaxIssues of them and one line counting the
// rest, not a report larger than the file.
const MaxIssues = 100

// Decode decodes TOML text into v, a pointer to a struct, the way the
// TOML library would (fields matched by their toml tag, Unmarshaler and
// TextUnmarshaler honoured), but reports every problem instead of
// stopping at the first: each key that is not a field and each value of
// the wrong type is an Issue with its line, and everything else is
// decoded. A syntax error is the one issue when the text is not TOML.
// The returned Lines let the caller place its own value errors.
//
// It takes time linear in the text: the text is parsed once and scanned
// once for lines.
func Decode(text string, v any) (*Lines, Issues) {
	var tree map[string]any
	if _, err := toml.Decode(text, &tree); err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, Issues{{Kind: Syntax, Line: perr.Position.Line, Key: perr.LastKey, Msg: perr.Message}}
		}
		return nil, Issues{{Kind: Syntax, Msg: strings.TrimPrefix(err.Error(), "toml: ")}}
	}
	d := &decoder{lines: Index(text)}
	d.value(reflect.ValueOf(v).Elem(), tree, "")
	d.issues.Sort()
	if d.dropped > 0 {
		d.issues = append(d.issues, Issue{Kind: d.issues[len(d.issues)-1].Kind,
			Msg: fmt.Sprintf("and %d more problems like these (only the first %d are listed)", d.dropped, MaxIssues)})
	}
	return d.lines, d.issues
}

type decoder struct {
	lines   *Lines
	issues  Issues
	dropped int
	types   map[reflect.Type]*structFields
}

func (d *decoder) add(kind IssueKind, key, msg string) {
	if len(d.issues) >= MaxIssues {
		d.dropped++
		return
	}
	d.issues = append(d.issues, Issue{Kind: kind, Line: d.lines.Line(key), Key: key, Msg: msg})
}

// ok runs decode and reports whether it found no problem.
func (d *decoder) ok(decode func()) bool {
	before := len(d.issues) + d.dropped
	decode()
	return len(d.issues)+d.dropped == before
}

func (d *decoder) wrongType(key string, x any, want string) {
	d.add(WrongType, key, fmt.Sprintf("the value is %s where %s is expected", kindOf(x), want))
}

var (
	unmarshalerType     = reflect.TypeFor[toml.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// value decodes x into v (settable) and reports what does not fit.
func (d *decoder) value(v reflect.Value, x any, key string) {
	if v.CanAddr() {
		p := v.Addr()
		if p.Type().Implements(unmarshalerType) {
			if err := p.Interface().(toml.Unmarshaler).UnmarshalTOML(x); err != nil {
				d.add(WrongType, key, err.Error())
			}
			return
		}
		if p.Type().Implements(textUnmarshalerType) {
			s, ok := x.(string)
			if !ok {
				d.wrongType(key, x, "text")
				return
			}
			if err := p.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
				d.add(BadValue, key, err.Error())
			}
			return
		}
	}
	switch v.Kind() {
	case reflect.Interface:
		v.Set(reflect.ValueOf(x))
	case reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		if d.ok(func() { d.value(e.Elem(), x, key) }) || e.Elem().Kind() == reflect.Struct {
			v.Set(e)
		}
	case reflect.String:
		s, ok := x.(string)
		if !ok {
			d.wrongType(key, x, "text")
			return
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			d.wrongType(key, x, "true or false")
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := x.(int64)
		if !ok {
			d.wrongType(key, x, "a whole number")
			return
		}
		if v.OverflowInt(n) {
			d.add(BadValue, key, fmt.Sprintf("%d is too large", n))
			return
		}
		v.SetInt(n)
	case reflect.Float32, reflect.Float64:
		switch n := x.(type) {
		case float64:
			v.SetFloat(n)
		case int64:
			v.SetFloat(float64(n))
		default:
			d.wrongType(key, x, "a number")
		}
	case reflect.Slice:
		d.slice(v, x, key)
	case reflect.Map:
		m, ok := x.(map[string]any)
		if !ok || v.Type().Key().Kind() != reflect.String {
			d.wrongType(key, x, "a table")
			return
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(v.Type(), len(m)))
		}
		for _, k := range sortedKeys(m) {
			e := reflect.New(v.Type().Elem()).Elem()
			// A value that could not be read is left out, not set to
			// zero, so that later checks do not report it again; a
			// table (a DSP) keeps what could be read.
			if d.ok(func() { d.value(e, m[k], Path(key, k)) }) || !e.IsZero() {
				v.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
			}
		}
	case reflect.Struct:
		m, ok := x.(map[string]any)
		if !ok {
			d.wrongType(key, x, "a table")
			return
		}
		d.fields(v, m, key)
	default:
		d.add(WrongType, key, fmt.Sprintf("ferry cannot read a %s", v.Type()))
	}
}

func (d *decoder) slice(v reflect.Value, x any, key string) {
	var elems []any
	switch s := x.(type) {
	case []any:
		elems = s
	case []map[string]any:
		for _, m := range s {
			elems = append(elems, m)
		}
	default:
		d.wrongType(key, x, "a list [ … ]")
		return
	}
	out := reflect.MakeSlice(v.Type(), 0, len(elems))
	for i, e := range elems {
		ev := reflect.New(v.Type().Elem()).Elem()
		// A bad element is left out of a list of values, but a table
		// (a track, a deal) keeps its place so later ones keep their
		// numbers.
		if d.ok(func() { d.value(ev, e, Element(key, i+1)) }) || ev.Kind() == reflect.Struct {
			out = reflect.Append(out, ev)
		}
	}
	v.Set(out)
}

// fields decodes a table into a struct's fields by their toml tags.
func (d *decoder) fields(v reflect.Value, m map[string]any, key string) {
	info := d.structInfo(v.Type())
	for _, k := range sortedKeys(m) {
		i, ok := info.byName[k]
		if !ok {
			if len(d.issues) >= MaxIssues {
				d.dropped++ // not listed: spare the suggestion
				continue
			}
			msg, suggest := "unknown key", ""
			if s := Nearest(k, info.names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
				suggest = Path(key, s)
			}
			d.add(UnknownKey, Path(key, k), msg)
			d.issues[len(d.issues)-1].Suggest = suggest
			continue
		}
		d.value(v.Field(i), m[k], Path(key, k))
	}
}

// structFields are a struct type's toml names, by name and sorted.
type structFields struct {
	byName map[string]int
	names  []string
}

// structInfo maps a struct's toml names to field indexes, once per type.
func (d *decoder) structInfo(t reflect.Type) *structFields {
	if info, ok := d.types[t]; ok {
		return info
	}
	info := &structFields{byName: map[string]int{}}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		info.byName[name] = i
		info.names = append(info.names, name)
	}
	sort.Strings(info.names)
	if d.types == nil {
		d.types = map[reflect.Type]*structFields{}
	}
	d.types[t] = info
	return info
}

// Nearest returns the candidate closest to s by edit distance, for "did
// you mean" suggestions: at most 2 edits and at most half of s (so "Z"
// suggests nothing), and "" when none is that close or when several are
// equally close ("4.4" could be 4.1, 4.2 or 4.3).
func Nearest(s string, candidates []string) string {
	limit := min(2, len(s)/2)
	best, bestD, tie := "", limit+1, false
	ls := strings.ToLower(s)
	for _, c := range candidates {
		switch dist := editDistance(ls, strings.ToLower(c), limit); {
		case dist < bestD:
			best, bestD, tie = c, dist, false
		case dist == bestD && dist <= limit:
			tie = true
		}
	}
	if tie || bestD > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (bytes), or
// limit+1 as soon as it must exceed limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// kindOf names a decoded TOML value's type in words.
func kindOf(x any) string {
	switch v := x.(type) {
	case string:
		return "text"
	case int64:
		return "a whole number"
	case float64:
		return "a decimal number"
	case bool:
		return "true or false"
	case time.Time:
		return "a date or time"
	case []any, []map[string]any:
		return "a list [ … ]"
	case map[string]any:
		return "a table { … }"
	default:
		return fmt.Sprintf("%T", v)
	}
}
