package digest

import (
	"context"
	"errors"
	"sync"
)

// SumAll returns the Sums of every file of paths, in the same order,
// hashing up to parallel files at once (values below 1 mean 1;
// FilesAtOnce says how many keep the CPU busy), their MD5s sharing the
// SIMD lanes. Every file is attempted; the error joins one error per
// failed file, each naming it, and the failed files' Sums are zero.
func (c *Cache) SumAll(paths []string, algorithm string, parallel int) ([]Sums, error) {
	if err := CheckAlgorithm(algorithm); err != nil {
		return nil, err
	}
	ctx := Together(context.Background())
	sums := make([]Sums, len(paths))
	err := ForEach(len(paths), parallel, func(i int) (err error) {
		sums[i], _, err = c.SumContext(ctx, paths[i], algorithm)
		return err
	})
	return sums, err
}

// Warm makes sure the cache holds every one of algorithms for every file
// of paths, reading each file that lacks one once for all of them. Fan-out
// to DSPs that want different HashSums calls it with their union first, so
// each DSP's SumAll is then all hits instead of one read per algorithm.
// Errors are as for SumAll.
func (c *Cache) Warm(paths []string, algorithms []string, parallel int) error {
	for _, alg := range algorithms {
		if err := CheckAlgorithm(alg); err != nil {
			return err
		}
	}
	ctx := Together(context.Background())
	return ForEach(len(paths), parallel, func(i int) error {
		_, _, err := c.lookup(ctx, paths[i], algorithms)
		return err
	})
}

// ForEach calls do(0..n-1) on up to parallel goroutines (values below 1
// mean 1) and joins the errors: the worker pool of SumAll and Warm, for
// callers that hash through their own function (the packager's HashFunc).
func ForEach(n, parallel int, do func(i int) error) error {
	parallel = max(1, min(parallel, n))
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			for i := range next {
				errs[i] = do(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}
