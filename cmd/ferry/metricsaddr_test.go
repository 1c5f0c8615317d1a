package main

import (
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestMetricsAddressChoice: -metrics wins over FERRY_METRICS, which wins
// over metrics.listen; "off" serves nothing.
func TestMetricsAddressChoice(t *testing.T) {
	flagAddr, envAddr := freeAddr(t), freeAddr(t)
	tests := []struct {
		name string
		args []string
		env  string
		want string // "" for no listener
	}{
		{"environment", nil, envAddr, envAddr},
		{"flag over environment", []string{"-metrics", flagAddr}, envAddr, flagAddr},
		{"off", []string{"-metrics", "off"}, envAddr, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			cmd := exec.Command(ferryBin, append([]string{"run", "-config", testConfig(t, root, "m", "")}, tt.args...)...)
			cmd.Env = append(os.Environ(), "FERRY_METRICS="+tt.env)
			d := &daemon{t: t, done: make(chan struct{})}
			d.start(cmd, `"msg":"ferry running"`)
			defer d.stop()
			if tt.want == "" {
				if strings.Contains(d.log(), `"msg":"serving metrics"`) {
					t.Errorf("metrics served with -metrics off:\n%s", d.log())
				}
				return
			}
			if got := d.metricsURL(); got != "http://"+tt.want+"/metrics" {
				t.Errorf("metrics at %s, want %s", got, tt.want)
			}
		})
	}
}
