package sandbox

import (
	"io"
	"os"
	"path/filepath"

	"github.com/pkg/sftp"
)

// rootFS serves SFTP requests from one local folder, like a chrooted
// OpenSSH internal-sftp: every request path is cleaned and joined under
// root, and links cannot be created, so nothing escapes it. It tells
// changed of every file that appears under its final name (a rename, or a
// write closed), so that the checker looks only where something arrived.
type rootFS struct {
	root    string
	changed func(rel string)
}

func (r rootFS) handlers() sftp.Handlers {
	return sftp.Handlers{FileGet: r, FilePut: r, FileCmd: r, FileList: r}
}

// local maps a request path ("/a/b", already cleaned by pkg/sftp) to disk.
func (r rootFS) local(p string) string {
	return filepath.Join(r.root, filepath.FromSlash(filepath.Clean("/"+p)))
}

func (r rootFS) Fileread(req *sftp.Request) (io.ReaderAt, error) {
	return os.Open(r.local(req.Filepath))
}

func (r rootFS) Filewrite(req *sftp.Request) (io.WriterAt, error) {
	flags := os.O_WRONLY | os.O_CREATE
	if req.Pflags().Trunc {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(r.local(req.Filepath), flags, 0o644)
	if err != nil {
		return nil, err
	}
	return &writtenFile{File: f, done: func() { r.changed(req.Filepath) }}, nil
}

// writtenFile reports its file as changed once the client closes it.
type writtenFile struct {
	*os.File
	done func()
}

func (w *writtenFile) Close() error {
	err := w.File.Close()
	w.done()
	return err
}

func (r rootFS) Filecmd(req *sftp.Request) error {
	p := r.local(req.Filepath)
	switch req.Method {
	case "Setstat":
		if req.AttrFlags().Size {
			return os.Truncate(p, int64(req.Attributes().Size))
		}
		return nil
	case "Rename":
		if _, err := os.Lstat(r.local(req.Target)); err == nil {
			return sftp.ErrSSHFxFailure // plain SFTP rename never replaces
		}
		return r.rename(p, req.Target)
	case "PosixRename":
		return r.rename(p, req.Target)
	case "Rmdir":
		return os.Remove(p)
	case "Remove":
		return os.Remove(p)
	case "Mkdir":
		return os.Mkdir(p, 0o755)
	case "Link", "Symlink":
		return sftp.ErrSSHFxOpUnsupported
	}
	return sftp.ErrSSHFxOpUnsupported
}

// PosixRename makes the server offer posix-rename@openssh.com semantics.
func (r rootFS) PosixRename(req *sftp.Request) error {
	return r.rename(r.local(req.Filepath), req.Target)
}

// rename moves the file at local path from to the request path target.
func (r rootFS) rename(from, target string) error {
	if err := os.Rename(from, r.local(target)); err != nil {
		return err
	}
	r.changed(target)
	return nil
}

func (r rootFS) Filelist(req *sftp.Request) (sftp.ListerAt, error) {
	p := r.local(req.Filepath)
	switch req.Method {
	case "List":
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		infos := make([]os.FileInfo, 0, len(entries))
		for _, e := range entries {
			if fi, err := e.Info(); err == nil {
				infos = append(infos, fi)
			}
		}
		return listerAt(infos), nil
	case "Stat":
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		return listerAt{fi}, nil
	}
	return nil, sftp.ErrSSHFxOpUnsupported
}

type listerAt []os.FileInfo

func (l listerAt) ListAt(dst []os.FileInfo, offset int64) (int, error) {
	if offset >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(dst, l[offset:])
	if n < len(dst) {
		return n, io.EOF
	}
	return n, nil
}
