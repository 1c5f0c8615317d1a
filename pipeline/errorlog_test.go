package pipeline

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestErrorLogReportsChangesOnly(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var l errorLog
	down, refused := errors.New("connection reset"), errors.New("connection refused")
	for _, err := range []error{nil, down, down, down, refused, refused, nil, nil} {
		l.report(log, "dsp", "cannot reach the DSP", err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "reset") || !strings.Contains(lines[1], "refused") || !strings.Contains(lines[2], "works again") {
		t.Errorf("logged:\n%s\nwant: reset, refused, works again", buf.String())
	}
}
