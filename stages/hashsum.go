package stages

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"

	"github.com/zeebo/blake3"
)

// newHashSum returns the hash for a DDEX HashSumAlgorithmType value.
func newHashSum(algorithm string) hash.Hash {
	switch algorithm {
	case "SHA1":
		return sha1.New()
	case "SHA-256":
		return sha256.New()
	default:
		return md5.New()
	}
}

// BytesSums returns the BLAKE3 and the DSP HashSum of an in-memory file
// (the ERN message itself).
func BytesSums(data []byte, algorithm string) (blake3Hex, hashSum string) {
	b := blake3.Sum256(data)
	h := newHashSum(algorithm)
	h.Write(data)
	return hex.EncodeToString(b[:]), hex.EncodeToString(h.Sum(nil))
}
