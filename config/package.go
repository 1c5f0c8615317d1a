package config

import (
	"fmt"
	"slices"
	"strings"
)

// Package is a distributor bulk-package destination (transport =
// "package"): one zip per delivery written into a folder, for a person
// to upload into the distributor's portal.
type Package struct {
	// Dir is the existing folder the archives are written to.
	Dir string `toml:"dir"`
	// Name is the archive's name: {folder} (the DDEX delivery folder,
	// unique per delivery), {upc}, {release_id}, {message_id}, {kind},
	// {date} (YYYYMMDD UTC), {time} (HHMMSS). Default "{folder}.zip".
	Name string `toml:"name"`
	// Layout inside the archive: "folder" (the delivery folder at the
	// root, as over SFTP), "contents" (its contents at the root) or
	// "flat" (every file at the root).
	Layout string `toml:"layout"`
	// Sheet names the CSV metadata sheet at the archive's root; with no
	// columns there is no sheet.
	Sheet   string          `toml:"sheet"`
	Columns []PackageColumn `toml:"columns"`
}

// PackageColumn is one column of the metadata sheet: its header and a
// field of the release (see the README for the list) or a constant value.
type PackageColumn struct {
	Header string `toml:"header"`
	Field  string `toml:"field"`
	Value  string `toml:"value"`
}

// PackageLayouts are the accepted package layouts.
var PackageLayouts = []string{"folder", "contents", "flat"}

func (p *Package) applyDefaults() {
	setString(&p.Name, "{folder}.zip")
	setString(&p.Layout, "folder")
	if len(p.Columns) > 0 {
		setString(&p.Sheet, "metadata.csv")
	}
}

func (p *Package) check(key string) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(key+"package."+format, args...)) }
	if p.Dir == "" {
		bad("dir is required for transport = \"package\"")
	}
	if !slices.Contains(PackageLayouts, p.Layout) {
		bad("layout = %q: want one of %s", p.Layout, strings.Join(PackageLayouts, ", "))
	}
	if strings.ContainsAny(p.Name, `/\`) {
		bad("name = %q: a file name, without folders", p.Name)
	}
	for i, c := range p.Columns {
		if c.Header == "" {
			bad("columns[%d]: header is required", i)
		}
		if (c.Field == "") == (c.Value == "") {
			bad("columns[%d] (%s): set field or value", i, c.Header)
		}
	}
	return errs
}
