package config

import (
	"fmt"
	"path"
	"strings"
)

// checkAckArchive checks [dsp.NAME.ack] archive: a folder on the DSP's
// server, relative to its dir like ack.dir, into which ferry moves each
// acknowledgement once it has read it to the end. Empty (the default)
// leaves acknowledgements where the DSP wrote them; ferry then remembers
// them as read. The archive must not be the acknowledgement folder itself
// nor leave the DSP's folder.
// It returns what is wrong with the setting, or "".
func checkAckArchive(d *DSP) string {
	a := d.Ack.Archive
	if a == "" {
		return ""
	}
	clean := path.Clean(a)
	switch {
	case d.Ack.Mode == "none":
		return fmt.Sprintf("%q: acknowledgements are not read with ack.mode = \"none\"", a)
	case path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../"):
		return fmt.Sprintf("%q: want a folder inside the DSP's folder, relative like ack.dir", a)
	case clean == path.Clean(d.Ack.Dir) || clean == ".":
		return fmt.Sprintf("%q: must differ from ack.dir (%q)", a, d.Ack.Dir)
	}
	return ""
}
