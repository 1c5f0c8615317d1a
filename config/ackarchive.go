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
func checkAckArchive(prefix string, d *DSP) []error {
	a := d.Ack.Archive
	if a == "" {
		return nil
	}
	key := prefix + "ack.archive"
	clean := path.Clean(a)
	switch {
	case d.Ack.Mode == "none":
		return []error{fmt.Errorf("%s = %q: acknowledgements are not read with ack.mode = \"none\"", key, a)}
	case path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../"):
		return []error{fmt.Errorf("%s = %q: want a folder inside the DSP's folder, relative like ack.dir", key, a)}
	case clean == path.Clean(d.Ack.Dir) || clean == ".":
		return []error{fmt.Errorf("%s = %q: must differ from ack.dir (%q)", key, a, d.Ack.Dir)}
	}
	return nil
}
