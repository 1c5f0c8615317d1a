package config

import (
	"strings"
	"testing"
)

func TestAckArchive(t *testing.T) {
	tests := []struct {
		name, ack string
		want      string // error text; "" accepted
	}{
		{"unset", ``, ""},
		{"inside the ack folder", `archive = "acknowledgements/done"`, ""},
		{"beside it", `archive = "ack-archive"`, ""},
		{"the ack folder itself", `archive = "acknowledgements/"`, `must differ from ack.dir`},
		{"outside the DSP's folder", `archive = "../elsewhere"`, `want a folder inside the DSP's folder`},
		{"absolute", `archive = "/srv/archive"`, `want a folder inside the DSP's folder`},
		{"no acknowledgements read", "mode = \"none\"\narchive = \"done\"", `ack.mode = "none"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("[dsp.a]\ntransport = \"sandbox\"\n[dsp.a.ack]\n" + tt.ack + "\n")
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := cfg.DSP["a"].Ack.Archive; !strings.Contains(tt.ack, got) {
					t.Errorf("archive %q, from %s", got, tt.ack)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "dsp.a.ack.archive") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one naming dsp.a.ack.archive: %s", err, tt.want)
			}
		})
	}
}
