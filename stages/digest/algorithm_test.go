package digest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckAlgorithm(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string // "" means accepted
	}{
		{"MD5", ""},
		{"SHA1", ""},
		{"SHA-256", ""},
		{NoHashSum, ""},
		{"BLAKE3", "internal identity"},
		{"blake3", "internal identity"},
		{"SHA-1", "not a DDEX HashSum value"}, // DDEX writes SHA1
		{"SHA256", "not a DDEX HashSum value"},
		{"md5", "not a DDEX HashSum value"},
		{"MD4", "not a DDEX HashSum value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckAlgorithm(tt.name)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckAlgorithm(%q) = %v, want nil", tt.name, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("CheckAlgorithm(%q) = %v, want error containing %q", tt.name, err, tt.wantErr)
			}
		})
	}
}

func TestParseAlgorithm(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"MD5", MD5, false},
		{"md5", MD5, false},
		{" Md5 ", MD5, false},
		{"SHA1", SHA1, false},
		{"sha-1", SHA1, false},
		{"sha256", SHA256, false},
		{"SHA-256", SHA256, false},
		{"blake3", "", true},
		{"", "", true},
		{"crc32", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAlgorithm(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseAlgorithm(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err == nil && CheckAlgorithm(got) != nil {
				t.Fatalf("ParseAlgorithm(%q) = %q, which CheckAlgorithm rejects", tt.in, got)
			}
		})
	}
}

func TestBytesMatchesFile(t *testing.T) {
	data := []byte("abc")
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, alg := range []string{MD5, SHA1, SHA256, NoHashSum} {
		got, err := Bytes(data, alg)
		if err != nil {
			t.Fatal(err)
		}
		want, err := File(p, alg)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: Bytes %+v, File %+v", alg, got, want)
		}
	}
	if _, err := Bytes(data, "BLAKE3"); err == nil {
		t.Error("BLAKE3 accepted as a HashSum algorithm")
	}
}
