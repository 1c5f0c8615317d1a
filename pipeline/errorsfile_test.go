package pipeline

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
)

func TestUploadAdviceFitsTheTransport(t *testing.T) {
	full := fmt.Errorf("write /srv/out/x.wav: %w", &os.PathError{Op: "write", Path: "/srv/out/x.wav", Err: syscall.ENOSPC})
	tests := []struct {
		name      string
		transport string
		err       error
		want      string
		not       string
	}{
		{"local disk full", "local", full, "is full", "SFTP"},
		{"local other", "local", errors.New("permission denied"), "local.dir", "SFTP"},
		{"sftp", "sftp", errors.New("connection refused"), "SFTP settings", ""},
		{"sandbox", "sandbox", errors.New("connection refused"), "SFTP settings", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &config.DSP{Transport: tt.transport, Local: config.Local{Dir: "/srv/out"}}
			got := uploadAdvice(d, tt.err)
			if !strings.Contains(got, tt.want) || (tt.not != "" && strings.Contains(got, tt.not)) {
				t.Errorf("advice %q: want %q in it, not %q", got, tt.want, tt.not)
			}
		})
	}
}

func TestErrorsFileHeading(t *testing.T) {
	tests := []struct {
		heading, want string
	}{
		{"", "Problems found (2):"},
		{"The DSP said:", "The DSP said:"},
	}
	for _, tt := range tests {
		f := failure{Stage: Uploaded, What: "x", Details: []string{"a", "b"}, Heading: tt.heading, ToDo: "y"}
		b := errorsText(f, time.Now())
		if !strings.Contains(string(b), "\n"+tt.want+"\n- a\n- b\n") {
			t.Errorf("heading %q: ERRORS.txt reads\n%s", tt.heading, b)
		}
	}
}
