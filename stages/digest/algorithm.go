package digest

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"hash"
	"strings"
)

// HashSum algorithm names exactly as DDEX ERN 4.x writes them in
// HashSum/Algorithm. BLAKE3 is deliberately absent: DDEX does not allow it,
// so it is ferry's internal identity only. (ERN 3.8.2 allows MD5 and SHA1
// of these, not SHA-256; the ERN writer checks that.)
const (
	MD5    = "MD5"
	SHA1   = "SHA1"
	SHA256 = "SHA-256"
)

// NoHashSum asks File and Cache for BLAKE3 alone, with no DDEX HashSum.
const NoHashSum = ""

// CheckAlgorithm reports whether name is a DDEX HashSum algorithm ferry
// computes, spelled exactly as DDEX does ("MD5", "SHA1", "SHA-256"), or
// NoHashSum. Anything else, BLAKE3 included, is an error naming the
// accepted values.
func CheckAlgorithm(name string) error {
	switch name {
	case MD5, SHA1, SHA256, NoHashSum:
		return nil
	case "BLAKE3", "blake3":
		return fmt.Errorf("hash algorithm %q is not a DDEX HashSum value (BLAKE3 is ferry's internal identity); use MD5, SHA1 or SHA-256", name)
	}
	return fmt.Errorf("hash algorithm %q is not a DDEX HashSum value; use MD5, SHA1 or SHA-256", name)
}

// ParseAlgorithm turns a configuration spelling ("md5", "sha-1", "sha256",
// "SHA-256" ...) into the DDEX name, so a config file need not match
// DDEX's capitalisation. The result always passes CheckAlgorithm.
func ParseAlgorithm(s string) (string, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "MD5":
		return MD5, nil
	case "SHA1", "SHA-1":
		return SHA1, nil
	case "SHA256", "SHA-256":
		return SHA256, nil
	}
	if err := CheckAlgorithm(s); err != nil {
		return "", err
	}
	return "", fmt.Errorf("hash algorithm is empty; use MD5, SHA1 or SHA-256")
}

// newHashSum returns a fresh hash for a checked algorithm name, or nil for
// NoHashSum.
func newHashSum(algorithm string) (hash.Hash, error) {
	switch algorithm {
	case MD5:
		return md5.New(), nil
	case SHA1:
		return sha1.New(), nil
	case SHA256:
		return sha256.New(), nil
	case NoHashSum:
		return nil, nil
	}
	return nil, CheckAlgorithm(algorithm)
}
