package bulk

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ferrydelivery/ferry/ern"
)

// placeholder matches {name} in an archive name template.
var placeholder = regexp.MustCompile(`\{[a-z_]*\}`)

// namePlaceholders are the names an archive template may use.
var namePlaceholders = map[string]bool{"folder": true, "upc": true, "release_id": true, "message_id": true,
	"kind": true, "date": true, "time": true}

func checkName(tmpl string) error {
	if strings.ContainsAny(tmpl, `/\`) || strings.HasPrefix(tmpl, ".") {
		return fmt.Errorf("package name %q: a file name, without folders, not starting with a dot", tmpl)
	}
	for _, m := range placeholder.FindAllString(tmpl, -1) {
		if !namePlaceholders[m[1:len(m)-1]] {
			return fmt.Errorf("package name %q: unknown placeholder %s (have {folder}, {upc}, {release_id}, {message_id}, {kind}, {date}, {time})", tmpl, m)
		}
	}
	return nil
}

// unsafeName is what may not appear in a generated file name.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// renderName fills an archive name template. Values from the message
// are reduced to letters, digits, '.', '_' and '-'.
func renderName(tmpl, folder string, m *ern.Message, now time.Time) (string, error) {
	var missing []string
	name := placeholder.ReplaceAllStringFunc(tmpl, func(p string) string {
		var v string
		switch p[1 : len(p)-1] {
		case "folder":
			v = folder
		case "date":
			v = now.UTC().Format("20060102")
		case "time":
			v = now.UTC().Format("150405")
		case "upc":
			if m != nil && m.Release != nil {
				v = m.Release.UPC
			}
		case "release_id":
			if m != nil && m.Release != nil {
				v = m.Release.GRid
				if v == "" {
					v = m.Release.UPC
				}
			}
		case "message_id":
			if m != nil {
				v = m.Header.MessageID
			}
		case "kind":
			if m != nil {
				v = m.Kind.String()
			}
		}
		if v == "" {
			missing = append(missing, p)
		}
		return unsafeName.ReplaceAllString(v, "_")
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("package name %q: no value for %s (the delivery has no readable ERN message)", tmpl, strings.Join(missing, ", "))
	}
	return name, nil
}
