package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/BurntSushi/toml"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/stages/validate"
)

// lintConfigFile reads the configuration at path and returns every
// problem in it in one pass, in the order of its lines: syntax, unknown
// keys, wrong types, bad values and severity overrides naming no rule.
// cfg is nil when the file cannot be read or is not TOML.
func lintConfigFile(path string) (*config.Config, config.Issues, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read config: %w", err)
	}
	cfg, is := config.Lint(string(data))
	if cfg != nil {
		is = append(is, validate.SeverityOverrideIssues(cfg)...)
		is = append(is, validate.PresetIssues(cfg)...)
		is.Sort()
	}
	return cfg, is, nil
}

// checkConfigFile lists every problem of the configuration at path, one
// per line as FILE:LINE: KEY: WHAT (the form editors jump to), and
// returns exitFailed when there is any.
func checkConfigFile(path string) int {
	cfg, is, err := lintConfigFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitFailed
	}
	if len(is) > 0 {
		for _, i := range is {
			where := path
			if i.Line > 0 {
				where = fmt.Sprintf("%s:%d", path, i.Line)
			}
			fmt.Fprintf(os.Stderr, "%s: %s\n", where, i.What())
		}
		fmt.Fprintf(os.Stderr, "%s: %d problem(s)\n", path, len(is))
		return exitFailed
	}
	fmt.Printf("%s: OK (root %s, DSPs: %v)\n", path, cfg.Root, cfg.DSPNames())
	return exitOK
}

var configHelp = help{
	Usage: "config [-config FILE]",
	About: `Prints the effective configuration as TOML: the embedded default, or
FILE (else $FERRY_CONFIG) with every default filled in. It holds no
secrets, only the files and environment variables they are read from.
Exit 0, or 2 when the configuration cannot be loaded.`,
}

// configCmd prints the effective configuration as TOML: the embedded
// default, or FILE (else $FERRY_CONFIG) with every default filled in.
// The configuration holds no secrets, only the files and environment
// variables they are read from, so everything in it may be printed.
func configCmd(args []string) int {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file (default: $FERRY_CONFIG, else the embedded default)")
	rest, done, code := parseFlags(fs, args, configHelp)
	if done {
		return code
	}
	if len(rest) > 0 {
		return usageError("config", configHelp, "unexpected argument %q", rest[0])
	}
	cfg, err := loadConfig(*cfgPath, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferry:", err)
		return exitUsage
	}
	source := "the embedded default"
	if p := *cfgPath; p != "" {
		source = p + ", every default filled in"
	} else if p := os.Getenv("FERRY_CONFIG"); p != "" {
		source = p + " ($FERRY_CONFIG), every default filled in"
	}
	// Spell out what the empty settings mean: every DSP when deliver_to is
	// not set, and each DSP's rules with the global ones applied.
	if len(cfg.DeliverTo) == 0 {
		cfg.DeliverTo = cfg.DSPNames()
	}
	for name, d := range cfg.DSP {
		d.Rules = cfg.RulesFor(name)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# ferry's effective configuration: %s.\n", source)
	if err := toml.NewEncoder(&b).Encode(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "ferry: write the configuration:", err)
		return exitFailed
	}
	os.Stdout.Write(b.Bytes())
	return exitOK
}
