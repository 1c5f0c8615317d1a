// Package delivery sends a validated release to one DSP: it plans the
// delivery (new release or update, by DDEX rule 12), packages the ERN
// message and resources per the DSP's profile, uploads them through a
// Transport (one package per backend below this folder) and reads the
// DSP's acknowledgement. It knows nothing of stage folders or workers.
package delivery

import "errors"

// PermanentError marks a fault that retrying cannot fix: invalid input,
// authentication refused, a host key mismatch, a DSP rejection. The
// pipeline fails such an item at once instead of backing off and retrying.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a PermanentError; nil stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err, or any error it wraps, is permanent.
// Anything else (network, timeout, EOF, server busy) is treated as
// transient and retried.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
