package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/ern/ident"
	"github.com/ferrydelivery/ferry/stages/identifiers"
)

// TestIDsCommands runs `ferry ids import`, `reserve` and `show` on a root.
func TestIDsCommands(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	cfg := filepath.Join(dir, "ferry.toml")
	os.WriteFile(cfg, []byte(`root = "`+root+`"
[dsp.sandbox]
transport = "sandbox"
[[identifiers.isrc]]
country = "GB"
registrant = "EXR"
designations = "00001-00100"
[[identifiers.upc]]
prefix = "5059876"
`), 0o644)
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(ferryBin, append([]string{"ids"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("ferry ids %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	catalogue := filepath.Join(dir, "catalogue.csv")
	os.WriteFile(catalogue, []byte("isrc,title\nGB-EXR-26-00001,Old one\nGBEXR2600002,Old two\n"), 0o644)
	if out := run("import", "-config", cfg, catalogue); !strings.Contains(out, "2 codes imported, 0 already known") {
		t.Errorf("import: %s", out)
	}
	if out := run("import", "-config", cfg, catalogue); !strings.Contains(out, "0 codes imported, 2 already known") {
		t.Errorf("second import: %s", out)
	}
	out := run("reserve", "-config", cfg, "-isrc", "3", "-note", "studio session")
	codes := strings.Fields(out)
	if len(codes) != 3 {
		t.Fatalf("reserve printed %q", out)
	}
	for _, c := range codes {
		if err := ident.CheckISRC(c); err != nil || !strings.HasPrefix(c, "GBEXR") {
			t.Errorf("reserved %q: %v", c, err)
		}
	}
	if codes[0][7:] != "00003" {
		t.Errorf("first reserved %s: want designation 00003, after the imported ones", codes[0])
	}
	var pools []identifiers.Pool
	if err := json.Unmarshal([]byte(run("show", "-config", cfg, "-json")), &pools); err != nil {
		t.Fatal(err)
	}
	if len(pools) != 2 || pools[0].Kind != identifiers.UPC || pools[1].Reserved != 3 || pools[1].Used != 2 || pools[1].Remaining != 95 {
		t.Errorf("show -json: %+v", pools)
	}
	table := run("show", "-config", cfg)
	if !strings.Contains(table, "95 of 100") || !strings.Contains(table, "REMAINING") {
		t.Errorf("show:\n%s", table)
	}
	bad := exec.Command(ferryBin, "ids", "reserve", "-config", cfg, "-isrc", "1", "-upc", "1")
	if err := bad.Run(); err == nil {
		t.Error("reserve with two kinds succeeded")
	}
}
