package pipeline

import (
	"testing"
	"time"
)

func TestHumanBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{185134080, "176.6 MiB"},
		{5 << 30, "5.0 GiB"},
		{3 << 40, "3.0 TiB"},
	}
	for _, tt := range tests {
		if got := HumanBytes(tt.n); got != tt.want {
			t.Errorf("HumanBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestProgressString(t *testing.T) {
	tests := []struct {
		p    Progress
		want string
		eta  time.Duration
	}{
		{Progress{Done: 185134080, Total: 4 * 185134080, Rate: 10 << 20}, "176.6 MiB of 706.2 MiB (25%), 10.0 MiB/s, 53s left", 53 * time.Second},
		{Progress{Done: 512}, "512 B", 0},
		{Progress{Done: 100, Total: 100, Rate: 5}, "100 B of 100 B (100%), 5 B/s", 0},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.p, got, tt.want)
		}
		if got := tt.p.ETA(); got != tt.eta {
			t.Errorf("%+v: ETA %s, want %s", tt.p, got, tt.eta)
		}
	}
}
