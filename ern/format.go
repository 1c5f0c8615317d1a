package ern

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// formatDuration writes d as an ISO 8601 duration the way DDEX samples do
// ("PT3M24S", "PT1H2M3.5S"), keeping sub-second precision so that reading
// it back gives the same time.Duration.
func formatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	var b strings.Builder
	b.WriteString("PT")
	if h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10))
		b.WriteByte('H')
	}
	if m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10))
		b.WriteByte('M')
	}
	if d > 0 || (h == 0 && m == 0) {
		sec := d / time.Second
		frac := d % time.Second
		b.WriteString(strconv.FormatInt(int64(sec), 10))
		if frac > 0 {
			f := fmt.Sprintf("%09d", int64(frac))
			b.WriteByte('.')
			b.WriteString(strings.TrimRight(f, "0"))
		}
		b.WriteByte('S')
	}
	return b.String()
}

// parseDuration reads an ISO 8601 duration of the form DDEX uses for
// resources: PnDTnHnMn.nS (years and months are refused: their length
// is not fixed).
func parseDuration(s string) (time.Duration, error) {
	orig := s
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "P") {
		return 0, fmt.Errorf("duration %q: not ISO 8601 (want PT…S)", orig)
	}
	s = s[1:]
	var total time.Duration
	inTime := false
	for s != "" {
		if s[0] == 'T' {
			inTime = true
			s = s[1:]
			continue
		}
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == ',') {
			i++
		}
		if i == 0 || i == len(s) {
			return 0, fmt.Errorf("duration %q: not ISO 8601 (want PT…S)", orig)
		}
		num := strings.Replace(s[:i], ",", ".", 1)
		unit := s[i]
		s = s[i+1:]
		var scale time.Duration
		switch {
		case unit == 'D' && !inTime:
			scale = 24 * time.Hour
		case unit == 'W' && !inTime:
			scale = 7 * 24 * time.Hour
		case unit == 'H' && inTime:
			scale = time.Hour
		case unit == 'M' && inTime:
			scale = time.Minute
		case unit == 'S' && inTime:
			scale = time.Second
		default:
			return 0, fmt.Errorf("duration %q: unit %c not supported", orig, unit)
		}
		whole, frac, _ := strings.Cut(num, ".")
		n, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %w", orig, err)
		}
		total += time.Duration(n) * scale
		if frac != "" {
			if len(frac) > 9 {
				frac = frac[:9]
			}
			f, err := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("duration %q: %w", orig, err)
			}
			total += time.Duration(f) * scale / time.Second
		}
	}
	return total, nil
}

// dayBefore returns the ISO date one day before date, or "" when date is
// not a YYYY-MM-DD calendar date.
func dayBefore(date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, -1).Format(time.DateOnly)
}

func itoa(n int) string { return strconv.Itoa(n) }
