package watch

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs more tests at once than the default of GOMAXPROCS: these
// tests mostly wait for settle periods, not for the CPU. An explicit
// -test.parallel wins.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		flag.Set("test.parallel", "8")
	}
	code := m.Run()
	if dir := bigTreeDir(); dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}
