package delivery

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/digest"
	"github.com/ferrydelivery/ferry/stages/validate"
)

func TestHashAllHashesFilesInParallel(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	if procs < 2 {
		t.Skip("one processor: nothing runs in parallel")
	}
	rel := &validate.Release{Dir: "/drop", Files: map[string]string{}}
	for i := range 20 {
		rel.Files[fmt.Sprintf("%02d.wav", i)] = fmt.Sprintf("audio/%02d.wav", i)
	}
	var running, most, calls, together atomic.Int32
	p := &Packager{Hash: func(ctx context.Context, path, algorithm string) (string, string, error) {
		calls.Add(1)
		if digest.IsTogether(ctx) {
			together.Add(1)
		}
		n := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(5 * time.Millisecond)
		return "b3:" + filepath.Base(path), algorithm + ":" + filepath.Base(path), nil
	}}
	hash := p.hashAll(context.Background(), rel, "MD5")
	if calls.Load() != 20 {
		t.Fatalf("%d files hashed, want 20", calls.Load())
	}
	// MD5: as many at once as fill the SIMD lanes, each told so.
	if m, want := int(most.Load()), digest.FilesAtOnce("MD5"); m < 2 || m > want {
		t.Errorf("%d hashes at once, want 2 to %d", m, want)
	}
	if together.Load() != 20 {
		t.Errorf("%d of 20 hashes were told they run together", together.Load())
	}
	b3, sum, err := hash("/drop/audio/07.wav")
	if err != nil || b3 != "b3:07.wav" || sum != "MD5:07.wav" {
		t.Errorf("hash of 07.wav = %q, %q, %v", b3, sum, err)
	}
	if calls.Load() != 20 {
		t.Error("a file hashed up front was hashed again")
	}
}
