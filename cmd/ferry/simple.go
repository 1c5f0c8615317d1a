package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/ferrydelivery/ferry/pipeline"
)

func versionCmd(args []string) int {
	fmt.Printf("ferry %s (%s %s/%s)\n", pipeline.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}

func checkConfigCmd(args []string) int {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: ferry check-config FILE")
		return 2
	}
	cfg, err := loadConfig(fs.Arg(0), "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("%s: OK (root %s, DSPs: %v)\n", fs.Arg(0), cfg.Root, cfg.DSPNames())
	return 0
}
