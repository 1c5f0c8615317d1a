package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/stages/identifiers"
)

const idsUsage = `usage:
  ferry ids show    [-root DIR] [-config FILE] [-json]
                    each block: next code, used, reserved, remaining
  ferry ids reserve [-root DIR] [-config FILE] (-upc N | -isrc N | -grid N) [-note TEXT]
                    reserve codes now and print them, one a line
  ferry ids import  [-root DIR] [-config FILE] FILE
                    record codes issued before ferry (CSV or one a line) so
                    they are never allocated; importing again changes nothing
`

// idsCmd is `ferry ids`: the label's identifier blocks.
func idsCmd(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, idsUsage)
		return 2
	}
	sub := map[string]func([]string) int{"show": idsShow, "reserve": idsReserve, "import": idsImport}[args[0]]
	if sub == nil {
		fmt.Fprintf(os.Stderr, "ferry ids: unknown command %q\n%s", args[0], idsUsage)
		return 2
	}
	return sub(args[1:])
}

// idsFlags adds -root and -config and returns the opener of the root's
// allocator.
func idsFlags(fs *flag.FlagSet) func() (*identifiers.Allocator, *config.Config, error) {
	root := fs.String("root", "", "root folder (default: the configuration's root)")
	cfgPath := fs.String("config", "", "configuration file (default: the embedded one)")
	return func() (*identifiers.Allocator, *config.Config, error) {
		cfg, err := loadConfig(*cfgPath, *root)
		if err != nil {
			return nil, nil, err
		}
		a, err := identifiers.Open(cfg.Root, &cfg.Identifiers, identifiers.Options{Node: cfg.Node})
		return a, cfg, err
	}
}

func idsShow(args []string) int {
	fs := flag.NewFlagSet("ids show", flag.ContinueOnError)
	open := idsFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON for scripts")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	a, cfg, err := open()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	defer a.Close()
	pools, err := a.Pools()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	if *asJSON {
		if pools == nil {
			pools = []identifiers.Pool{}
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(pools)
		return 0
	}
	if len(pools) == 0 {
		fmt.Printf("no identifier block is configured: add [[identifiers.upc]], [[identifiers.isrc]] or [[identifiers.grid]] to the configuration (root %s)\n", cfg.Root)
		return 0
	}
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tBLOCK\tCODES\tNEXT\tUSED\tRESERVED\tREMAINING\tUNCONFIRMED")
	for _, p := range pools {
		next := p.Next
		if next == "" {
			next = "(used up)"
		}
		block := p.Block
		if p.Year != 0 {
			block += fmt.Sprintf(" (%d)", p.Year)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d of %d\t%d\n", p.Kind, block, p.Codes, next, p.Used, p.Reserved, p.Remaining, p.Size, p.Unconfirmed)
	}
	tw.Flush()
	return 0
}

func idsReserve(args []string) int {
	fs := flag.NewFlagSet("ids reserve", flag.ContinueOnError)
	open := idsFlags(fs)
	counts := map[identifiers.Kind]*int{}
	for _, k := range identifiers.Kinds {
		counts[k] = fs.Int(string(k), 0, "how many "+strings.ToUpper(string(k))+" codes to reserve")
	}
	note := fs.String("note", "", "what the codes are for, kept in the journal")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var kind identifiers.Kind
	n := 0
	for _, k := range identifiers.Kinds {
		if *counts[k] != 0 {
			if kind != "" {
				fmt.Fprintln(os.Stderr, "ferry ids reserve: give one of -upc, -isrc, -grid")
				return 2
			}
			kind, n = k, *counts[k]
		}
	}
	if kind == "" || n < 1 || fs.NArg() > 0 {
		fmt.Fprint(os.Stderr, idsUsage)
		return 2
	}
	a, _, err := open()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	defer a.Close()
	codes, err := a.Reserve(kind, n, *note)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	for _, c := range codes {
		fmt.Println(c)
	}
	return 0
}

func idsImport(args []string) int {
	fs := flag.NewFlagSet("ids import", flag.ContinueOnError)
	open := idsFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprint(os.Stderr, idsUsage)
		return 2
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	codes, err := identifiers.ReadCodes(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferry: %s: nothing imported:\n%v\n", fs.Arg(0), err)
		return 1
	}
	a, _, err := open()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	defer a.Close()
	res, err := a.Import(codes, "imported from "+fs.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return 1
	}
	fmt.Printf("%s: %d codes imported, %d already known", fs.Arg(0), res.Added, res.Known)
	if res.Outside > 0 {
		fmt.Printf(" (%d of the imported lie outside the configured blocks)", res.Outside)
	}
	fmt.Println()
	return 0
}
