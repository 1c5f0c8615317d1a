package delivery

import (
	"errors"
	"fmt"
)

// MalformedAckError is an acknowledgement the DSP wrote that cannot be
// read. It is the DSP's fault, not a sign that the DSP is unreachable:
// ferry listed its folder and read the file. FindAck and AckIndex.Lookup
// return it wrapped as permanent (the item fails, asking for the DSP to
// resend); check it with errors.As.
type MalformedAckError struct {
	File string // the acknowledgement file, relative to the ack folder
	Err  error
}

func (e *MalformedAckError) Error() string {
	return fmt.Sprintf("acknowledgement %s from the DSP is unreadable: %v", e.File, e.Err)
}

func (e *MalformedAckError) Unwrap() error { return e.Err }

// AckDirMissingError says the DSP's acknowledgement folder does not exist
// on its server: a listing of it would only ever be empty, and the
// delivery would fail at ack.timeout. The server answered, so the DSP is
// reachable; the setting (ack.dir) or the DSP's side needs fixing. It is
// transient: the folder may be created.
type AckDirMissingError struct {
	Dir string
}

func (e *AckDirMissingError) Error() string {
	return fmt.Sprintf("the acknowledgement folder %q does not exist on the DSP's server: check ack.dir, or ask the DSP to create it", e.Dir)
}

// IsDSPFault reports whether err says the DSP answered wrongly (a
// malformed acknowledgement, a missing acknowledgement folder) rather than
// that it could not be reached: such an error must not mark the DSP
// unreachable.
func IsDSPFault(err error) bool {
	var m *MalformedAckError
	var d *AckDirMissingError
	return errors.As(err, &m) || errors.As(err, &d)
}
