package record

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// A delivery record names remote paths. Even sealed, it is checked on
// every load against the shapes ferry itself gives them, so that no
// stored string can send a file anywhere but into this delivery's own
// folder on the DSP: <P>_<ReleaseId>_<stamp> release by release,
// <P>_<stamp> for a batch.
var (
	stampPattern  = regexp.MustCompile(`^[0-9]{17}$`)
	folderPattern = regexp.MustCompile(`^[A-Z]_(?:[A-Za-z0-9]{1,64}_)?[0-9]{17}$`)
)

// ValidReleaseID reports whether id can name a release in folder names
// and the ledger: a GRid or an ICPN, letters and digits only.
func ValidReleaseID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !alnum(id[i]) {
			return false
		}
	}
	return true
}

// ValidName reports whether s is a safe single path component for ferry's
// own names (a DSP, a node): letters, digits, dot, dash, underscore, not
// starting with a dot, dash or underscore.
func ValidName(s string) bool {
	if len(s) == 0 || len(s) > 64 || !alnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !alnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func alnum(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// Check verifies that a delivery's names keep every file inside the
// delivery's own remote folder and package folder.
func (d *Delivery) Check() error {
	if !ValidName(d.DSP) {
		return fmt.Errorf("delivery record: DSP name %q is not one ferry makes", d.DSP)
	}
	if !ValidReleaseID(d.ReleaseID) {
		return fmt.Errorf("delivery record: release id %q is not one ferry makes", d.ReleaseID)
	}
	if !folderPattern.MatchString(d.Folder) {
		return fmt.Errorf("delivery record: remote folder %q is not one ferry makes", d.Folder)
	}
	if d.BatchID != "" && (!stampPattern.MatchString(d.BatchID) || !strings.HasSuffix(d.Folder, "_"+d.BatchID)) {
		return fmt.Errorf("delivery record: batch id %q does not match folder %q", d.BatchID, d.Folder)
	}
	for _, f := range d.Files {
		if err := checkRemote(d.Folder, f.Remote); err != nil {
			return err
		}
		if f.Package != f.Remote {
			return fmt.Errorf("delivery record: package path %q differs from remote path %q", f.Package, f.Remote)
		}
		switch f.Role {
		case RoleResource, RoleMessage, RoleManifest:
		default:
			return fmt.Errorf("delivery record: unknown file role %q", f.Role)
		}
	}
	return nil
}

// checkRemote verifies that p is a clean relative slash path inside folder.
func checkRemote(folder, p string) error {
	if len(p) > 1024 || strings.ContainsAny(p, "\x00\\") || path.Clean(p) != p || path.IsAbs(p) || !strings.HasPrefix(p, folder+"/") {
		return fmt.Errorf("delivery record: file path %q is outside the delivery folder %q", p, folder)
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." || part[0] == '.' {
			return fmt.Errorf("delivery record: file path %q has a hidden or relative part", p)
		}
	}
	return nil
}

// Stamp is the timestamp that makes the delivery's remote folder unique,
// or "" when the folder is not one ferry makes.
func (d *Delivery) Stamp() string {
	if !folderPattern.MatchString(d.Folder) {
		return ""
	}
	return d.Folder[len(d.Folder)-17:]
}
