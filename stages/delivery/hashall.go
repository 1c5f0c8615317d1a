package delivery

import (
	"context"
	"path/filepath"

	"github.com/ferrydelivery/ferry/stages/digest"
	"github.com/ferrydelivery/ferry/stages/validate"
)

// hashed is one file's HashFunc result.
type hashed struct {
	blake3, hashsum string
	err             error
}

// hashAll hashes every file rel references with p.Hash, as many at once
// as keep the CPU busy (digest.FilesAtOnce: a 20-track album is 20 reads
// that one core each would otherwise take in turn, and their MD5s share
// SIMD lanes). It returns a HashFunc of one path that answers from those
// results (and hashes a path not among them).
func (p *Packager) hashAll(ctx context.Context, rel *validate.Release, algorithm string) func(path string) (string, string, error) {
	var srcs []string
	for _, name := range rel.Files {
		srcs = append(srcs, filepath.Join(rel.Dir, name))
	}
	results := make([]hashed, len(srcs))
	many := digest.Together(ctx)
	_ = digest.ForEach(len(srcs), digest.FilesAtOnce(algorithm), func(i int) error {
		r := &results[i]
		r.blake3, r.hashsum, r.err = p.Hash(many, srcs[i], algorithm)
		return nil
	})
	byPath := make(map[string]hashed, len(srcs))
	for i, src := range srcs {
		byPath[src] = results[i]
	}
	return func(path string) (string, string, error) {
		if r, ok := byPath[path]; ok {
			return r.blake3, r.hashsum, r.err
		}
		return p.Hash(ctx, path, algorithm)
	}
}
