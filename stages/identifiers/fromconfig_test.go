package identifiers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/config"
)

func TestFromConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := &config.Config{Root: dir, Node: "n1"}
	if a, reg, err := FromConfig(cfg); a != nil || reg != nil || err != nil {
		t.Errorf("nothing configured: %v %v %v", a, reg, err)
	}
	cfg.Identifiers = *testConfig()
	cfg.Identifiers.Artists = filepath.Join(dir, "artists.toml")
	if _, _, err := FromConfig(cfg); err == nil || !strings.Contains(err.Error(), "artist registry") {
		t.Errorf("missing artists.toml: %v", err)
	}
	os.WriteFile(cfg.Identifiers.Artists, []byte(registry), 0o644)
	a, reg, err := FromConfig(cfg)
	if err != nil || a == nil || reg == nil || reg.Len() != 2 {
		t.Fatalf("FromConfig: %v %v %v", a, reg, err)
	}
	defer a.Close()
	if _, err := os.Stat(filepath.Join(dir, Dir, lockName)); err != nil {
		t.Errorf("allocator not opened on the root: %v", err)
	}
}
