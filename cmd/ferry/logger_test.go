package main

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ferrydelivery/ferry/config"
)

// openPTY opens a pseudo-terminal: the terminal side for the logger to
// write to, and the other side to read what it wrote.
func openPTY(t *testing.T) (master, terminal *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// TestTextLogOnATerminal writes a line through the daemon's logger to a
// real terminal: coloured unless NO_COLOR is set, and stamped with date,
// time and zone either way.
func TestTextLogOnATerminal(t *testing.T) {
	stamp := regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2}) `)
	tests := []struct {
		noColor string
		colour  bool
	}{
		{"", true},
		{"1", false},
	}
	for _, tt := range tests {
		t.Run("NO_COLOR="+tt.noColor, func(t *testing.T) {
			t.Setenv("NO_COLOR", tt.noColor)
			master, term := openPTY(t)
			log, err := newLogger(config.Log{Format: "auto", Level: "info"}, term, nil)
			if err != nil {
				t.Fatal(err)
			}
			log.Info("hello", "release", "harbour-lights")
			master.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 4096)
			n, err := master.Read(buf)
			if err != nil {
				t.Fatalf("read the terminal: %v", err)
			}
			out := buf[:n]
			if got := bytes.Contains(out, []byte("\x1b[")); got != tt.colour {
				t.Errorf("ANSI colour codes: %v, want %v: %q", got, tt.colour, out)
			}
			plain := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAll(out, nil)
			if !stamp.Match(plain) {
				t.Errorf("no date, time and zone at the start: %q", plain)
			}
			if !bytes.Contains(plain, []byte("hello")) || !bytes.Contains(plain, []byte("release=harbour-lights")) {
				t.Errorf("the line is not there: %q", plain)
			}
		})
	}
}
