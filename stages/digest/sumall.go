package digest

import (
	"errors"
	"sync"
)

// SumAll returns the Sums of every file of paths, in the same order,
// hashing up to parallel files at once (values below 1 mean 1). Each file
// read already keeps two cores busy with its two hashes, so a parallel of
// about half the cores saturates the CPU; more only helps with slow disks.
// Every file is attempted; the error joins one error per failed file,
// each naming it, and the failed files' Sums are zero.
func (c *Cache) SumAll(paths []string, algorithm string, parallel int) ([]Sums, error) {
	if err := CheckAlgorithm(algorithm); err != nil {
		return nil, err
	}
	parallel = max(1, min(parallel, len(paths)))
	sums := make([]Sums, len(paths))
	errs := make([]error, len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			for i := range next {
				sums[i], _, errs[i] = c.Sum(paths[i], algorithm)
			}
		})
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	return sums, errors.Join(errs...)
}
