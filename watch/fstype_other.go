//go:build !linux

package watch

// eventlessFSAt cannot tell filesystems apart off Linux; auto mode relies
// on its probe file instead.
func eventlessFSAt(dir string) (string, error) { return "", nil }
