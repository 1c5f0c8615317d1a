package sftp

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/ferrydelivery/ferry/stages/delivery"
	"github.com/pkg/sftp"
)

// classify marks err permanent when retrying cannot fix it, and leaves it
// transient (retried with backoff by the pipeline) otherwise:
//
//	permanent: host key unknown, changed or revoked (HostKeyError);
//	           authentication refused ("unable to authenticate");
//	           no common algorithm (cipher, key type) with the server;
//	           permission denied (SSH_FX_PERMISSION_DENIED);
//	           operation unsupported by the server (SSH_FX_OP_UNSUPPORTED);
//	           the configured base folder is missing (errBaseDir);
//	           an invalid path (errBadPath).
//	transient: everything else, notably network errors, timeouts, refused
//	           or reset connections, EOF, connection lost, a server that
//	           closes the connection before the handshake (MaxStartups:
//	           busy), and SSH_FX_FAILURE, which is what OpenSSH's
//	           sftp-server answers for a full disk or quota (ENOSPC,
//	           EDQUOT): space may be freed, so it is retried.
//
// An error already marked permanent stays so.
func classify(err error) error {
	if err == nil || delivery.IsPermanent(err) {
		return err
	}
	if isPermanent(err) {
		return delivery.Permanent(err)
	}
	if isFailure(err) {
		return &serverFailure{err}
	}
	return err
}

// isFailure reports an SSH_FX_FAILURE status: the server's "Failure",
// which is all OpenSSH's sftp-server says when its disk is full or a quota
// is reached.
func isFailure(err error) bool {
	var status *sftp.StatusError
	return errors.As(err, &status) && status.FxCode() == sftp.ErrSSHFxFailure ||
		errors.Is(err, sftp.ErrSSHFxFailure)
}

// serverFailure says what an SSH_FX_FAILURE most often means, so that
// ERRORS.txt and `ferry status` name the likely cause on the DSP's side.
type serverFailure struct{ err error }

func (e *serverFailure) Error() string {
	return e.err.Error() + " (the DSP's server refused the write with a bare \"Failure\": on OpenSSH servers that is most often the DSP's disk full or a quota reached; ferry retries)"
}
func (e *serverFailure) Unwrap() error { return e.err }

func isPermanent(err error) bool {
	var hostKey *HostKeyError
	if errors.As(err, &hostKey) || errors.Is(err, errBaseDir) || errors.Is(err, errBadPath) {
		return true
	}
	if errors.Is(err, os.ErrPermission) ||
		errors.Is(err, sftp.ErrSSHFxPermissionDenied) || errors.Is(err, sftp.ErrSSHFxOpUnsupported) {
		return true
	}
	var status *sftp.StatusError
	if errors.As(err, &status) {
		switch status.FxCode() {
		case sftp.ErrSSHFxPermissionDenied, sftp.ErrSSHFxOpUnsupported:
			return true
		}
		return false
	}
	// x/crypto/ssh has no typed errors for these handshake outcomes.
	msg := err.Error()
	return strings.Contains(msg, "ssh: unable to authenticate") ||
		strings.Contains(msg, "ssh: no common algorithm")
}

// brokeConnection reports whether err may mean the connection is broken,
// so that it is dropped and the next call redials. Answers from a live
// server (a status such as "no such file"), local source failures and
// cancellations leave it in use.
func brokeConnection(err error) bool {
	var status *sftp.StatusError
	var src *sourceError
	switch {
	case errors.As(err, &status), errors.As(err, &src),
		errors.Is(err, os.ErrNotExist), errors.Is(err, os.ErrPermission),
		errors.Is(err, sftp.ErrSSHFxNoSuchFile), errors.Is(err, sftp.ErrSSHFxPermissionDenied),
		errors.Is(err, sftp.ErrSSHFxFailure), errors.Is(err, sftp.ErrSSHFxOpUnsupported),
		errors.Is(err, errSizeMismatch), errors.Is(err, errNotFile),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	}
	return true
}
