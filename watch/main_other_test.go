//go:build !linux

package watch

// bigTreeDir: the benchmarks building a shared tree are Linux-only.
func bigTreeDir() string { return "" }
