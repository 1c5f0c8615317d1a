package ern

import (
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	cases := []struct {
		d    time.Duration
		text string
	}{
		{0, "PT0S"},
		{59 * time.Second, "PT59S"},
		{3*time.Minute + 24*time.Second, "PT3M24S"},
		{4*time.Minute + 23583*time.Millisecond, "PT4M23.583S"},
		{time.Hour + 2*time.Minute + 3*time.Second, "PT1H2M3S"},
		{2 * time.Hour, "PT2H"},
		{90 * time.Minute, "PT1H30M"},
		{time.Second + time.Nanosecond, "PT1.000000001S"},
	}
	for _, c := range cases {
		if got := formatDuration(c.d); got != c.text {
			t.Errorf("formatDuration(%v) = %q, want %q", c.d, got, c.text)
		}
		back, err := parseDuration(c.text)
		if err != nil || back != c.d {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", c.text, back, err, c.d)
		}
	}
}

func TestParseDurationForms(t *testing.T) {
	cases := []struct {
		text string
		want time.Duration
		ok   bool
	}{
		{"PT1M", time.Minute, true},
		{"P1DT1S", 24*time.Hour + time.Second, true},
		{"PT0,5S", 500 * time.Millisecond, true},
		{"PT13M31S", 13*time.Minute + 31*time.Second, true},
		{"P1Y", 0, false},   // years have no fixed length
		{"3:24", 0, false},  // not ISO 8601
		{"PT", 0, true},     // empty but well-formed
		{"PTS", 0, false},   // unit without number
		{"PT1X", 0, false},  // unknown unit
		{"PT1M2", 0, false}, // number without unit
	}
	for _, c := range cases {
		got, err := parseDuration(c.text)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, ok=%v", c.text, got, err, c.want, c.ok)
		}
	}
}

func TestIPINameNumber(t *testing.T) {
	cases := map[string]string{
		"00052210040":   "00052210040",
		"52210040":      "00052210040",
		"":              "",
		"I-000000229-7": "",
		"123456789012":  "",
	}
	for in, want := range cases {
		if got := ipiNameNumber(in); got != want {
			t.Errorf("ipiNameNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
