package sftp

import (
	"testing"
	"time"
)

func TestStreamsFor(t *testing.T) {
	tests := []struct {
		name    string
		streams int // Options.Streams
		cap     int // a server's refusal
		rtt     time.Duration
		size    int64
		want    int
	}{
		{"loopback", 0, 0, 100 * time.Microsecond, 1 << 30, 1},
		{"LAN", 0, 0, 5 * time.Millisecond, 1 << 30, 1},
		{"50 ms", 0, 0, 50 * time.Millisecond, 1 << 30, 4},
		{"100 ms", 0, 0, 100 * time.Millisecond, 1 << 30, 8},
		{"300 ms: at most 8", 0, 0, 300 * time.Millisecond, 1 << 30, 8},
		{"one stream per 16 MiB", 0, 0, 100 * time.Millisecond, 40 << 20, 2},
		{"small file", 0, 0, 100 * time.Millisecond, 20 << 20, 1},
		{"configured", 3, 0, 100 * time.Microsecond, 1 << 30, 3},
		{"configured 1: never split", 1, 0, 100 * time.Millisecond, 1 << 30, 1},
		{"server took 2", 0, 2, 100 * time.Millisecond, 1 << 30, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{o: Options{Streams: tt.streams}}
			if tt.cap > 0 {
				c.streamCap, c.streamCapUntil = tt.cap, time.Now().Add(time.Minute)
			}
			if got := c.streamsFor(&conn{rtt: tt.rtt}, tt.size); got != tt.want {
				t.Errorf("streamsFor = %d, want %d", got, tt.want)
			}
		})
	}
}
