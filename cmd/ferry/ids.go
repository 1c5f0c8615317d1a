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

var idsHelp = help{
	Usage: "ids show|reserve|import [flags] [FILE]",
	About: `Works on the label's identifier blocks ([identifiers] in the
configuration) and their journal under <root>/.ferry/ids.

  ferry ids show [-json]                       each block: next code, used, reserved, remaining
  ferry ids reserve (-upc N | -isrc N | -grid N) [-note TEXT]
                                               reserve codes now and print them, one a line
  ferry ids import FILE                        record codes issued before ferry (CSV or one a
                                               line) so they are never allocated; again: no change

Each takes -root DIR and -config FILE. Exit 1 when the journal cannot be
read or written, the blocks are used up, or an import file is refused
(nothing is then imported); 2 for a wrong command line or configuration.`,
}

var (
	idsShowHelp    = help{Usage: "ids show [-root DIR] [-config FILE] [-json]", About: "Prints each identifier block: its codes, the next code, how many are used, reserved and remaining,\nand how many allocated codes were never confirmed as written into their release (gaps)."}
	idsReserveHelp = help{Usage: "ids reserve [-root DIR] [-config FILE] (-upc N | -isrc N | -grid N) [-note TEXT]", About: "Reserves N codes of one kind now, for a release that does not exist yet,\nand prints them one a line. They are never allocated to another release."}
	idsImportHelp  = help{Usage: "ids import [-root DIR] [-config FILE] FILE", About: "Records the codes of FILE (CSV or one a line) as issued before ferry,\nso they are never allocated. Importing the same file again changes nothing."}
)

// idsCmd is `ferry ids`: the label's identifier blocks.
func idsCmd(args []string) int {
	if len(args) == 0 {
		return usageError("ids", idsHelp, "give a command: show, reserve or import")
	}
	switch args[0] {
	case "-h", "-help", "--help":
		fs := flag.NewFlagSet("ids", flag.ContinueOnError)
		fmt.Print(helpText(fs, idsHelp))
		return exitOK
	case "show":
		return idsShow(args[1:])
	case "reserve":
		return idsReserve(args[1:])
	case "import":
		return idsImport(args[1:])
	}
	return usageError("ids", idsHelp, "unknown command %q", args[0])
}

// idsFlags adds -root and -config and returns the opener of the root's
// allocator; it reports its own errors and returns the exit code to end
// with when the allocator is nil.
func idsFlags(fs *flag.FlagSet) func() (*identifiers.Allocator, *config.Config, int) {
	root := fs.String("root", "", "root folder (default: the configuration's root)")
	cfgPath := fs.String("config", "", "configuration file (default: the embedded one)")
	return func() (*identifiers.Allocator, *config.Config, int) {
		cfg, err := loadConfig(*cfgPath, *root)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ferry:", err)
			return nil, nil, exitUsage
		}
		a, err := identifiers.Open(cfg.Root, &cfg.Identifiers, identifiers.Options{Node: cfg.Node})
		if err != nil {
			fmt.Fprintln(os.Stderr, "ferry:", err)
			return nil, nil, exitFailed
		}
		return a, cfg, exitOK
	}
}

func idsShow(args []string) int {
	fs := flag.NewFlagSet("ids show", flag.ContinueOnError)
	open := idsFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON for scripts")
	rest, done, code := parseFlags(fs, args, idsShowHelp)
	if done {
		return code
	}
	if len(rest) > 0 {
		return usageError("ids show", idsShowHelp, "unexpected argument %q", rest[0])
	}
	a, cfg, code := open()
	if a == nil {
		return code
	}
	defer a.Close()
	pools, err := a.Pools()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitFailed
	}
	if *asJSON {
		if pools == nil {
			pools = []identifiers.Pool{}
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(pools)
		return exitOK
	}
	if len(pools) == 0 {
		fmt.Printf("no identifier block is configured: add [[identifiers.upc]], [[identifiers.isrc]] or [[identifiers.grid]] to the configuration (root %s)\n", cfg.Root)
		return exitOK
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
	return exitOK
}

func idsReserve(args []string) int {
	fs := flag.NewFlagSet("ids reserve", flag.ContinueOnError)
	open := idsFlags(fs)
	counts := map[identifiers.Kind]*int{}
	for _, k := range identifiers.Kinds {
		counts[k] = fs.Int(string(k), 0, "how many "+strings.ToUpper(string(k))+" codes to reserve")
	}
	note := fs.String("note", "", "what the codes are for, kept in the journal")
	rest, done, code := parseFlags(fs, args, idsReserveHelp)
	if done {
		return code
	}
	if len(rest) > 0 {
		return usageError("ids reserve", idsReserveHelp, "unexpected argument %q", rest[0])
	}
	var kind identifiers.Kind
	n := 0
	for _, k := range identifiers.Kinds {
		if *counts[k] != 0 {
			if kind != "" {
				return usageError("ids reserve", idsReserveHelp, "give one of -upc, -isrc, -grid")
			}
			kind, n = k, *counts[k]
		}
	}
	if kind == "" || n < 1 {
		return usageError("ids reserve", idsReserveHelp, "say how many codes of which kind: -upc N, -isrc N or -grid N (N at least 1)")
	}
	a, _, code := open()
	if a == nil {
		return code
	}
	defer a.Close()
	codes, err := a.Reserve(kind, n, *note)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitFailed
	}
	for _, c := range codes {
		fmt.Println(c)
	}
	return exitOK
}

func idsImport(args []string) int {
	fs := flag.NewFlagSet("ids import", flag.ContinueOnError)
	open := idsFlags(fs)
	rest, done, code := parseFlags(fs, args, idsImportHelp)
	if done {
		return code
	}
	if len(rest) != 1 {
		return usageError("ids import", idsImportHelp, "give one file of codes")
	}
	name := rest[0]
	f, err := os.Open(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitFailed
	}
	codes, err := identifiers.ReadCodes(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferry: %s: nothing imported:\n%v\n", name, err)
		return exitFailed
	}
	a, _, code := open()
	if a == nil {
		return code
	}
	defer a.Close()
	res, err := a.Import(codes, "imported from "+name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitFailed
	}
	fmt.Printf("%s: %d codes imported, %d already known", name, res.Added, res.Known)
	if res.Outside > 0 {
		fmt.Printf(" (%d of the imported lie outside the configured blocks)", res.Outside)
	}
	fmt.Println()
	return exitOK
}
