package digest

import (
	"encoding/hex"

	"github.com/zeebo/blake3"
)

// Bytes returns the Sums of data held in memory (a message ferry wrote),
// as File does for a file.
func Bytes(data []byte, algorithm string) (Sums, error) {
	h, err := newHashSum(algorithm)
	if err != nil {
		return Sums{}, err
	}
	b := blake3.Sum256(data)
	s := Sums{Size: int64(len(data)), BLAKE3: hex.EncodeToString(b[:]), Algorithm: algorithm}
	if h != nil {
		h.Write(data)
		s.HashSum = hex.EncodeToString(h.Sum(nil))
	}
	return s, nil
}
