package config

import (
	"strings"

	"github.com/BurntSushi/toml"
)

// KeyLine finds the line on which key is set in the TOML text, so that an
// unknown key can be reported where the user wrote it (release.toml uses
// it too). The TOML library
// keeps key positions private, so this follows table headers and
// assignments; it returns 0 when the key cannot be placed.
func KeyLine(text string, key []string) int {
	want := toml.Key(key).String()
	table := ""
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "["):
			name := strings.Trim(strings.SplitN(line, "#", 2)[0], "[] \t")
			table = unquoteKey(name)
			if table == want {
				return i + 1
			}
		default:
			eq := strings.Index(line, "=")
			if eq < 0 {
				continue
			}
			full := unquoteKey(strings.TrimSpace(line[:eq]))
			if table != "" {
				full = table + "." + full
			}
			if full == want || strings.HasPrefix(want, full+".") {
				return i + 1
			}
		}
	}
	return 0
}

// unquoteKey normalises a dotted TOML key: spaces around dots and quotes
// around parts are dropped.
func unquoteKey(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}
