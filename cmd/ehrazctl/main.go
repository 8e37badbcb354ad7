// Command ehrazctl is Ehraz's admin tool: validators, sessions, plugin checks, evaluations and
// maintenance. It has no GUI dependencies. Each subcommand lives in its own file and is listed in
// commands(); main only wires.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ehraz/ehraz/locales"
)

// Exit codes shared by every subcommand.
const (
	exitOK      = 0
	exitInvalid = 1 // the input was checked and is invalid / a check failed
	exitUsage   = 2 // the command line was wrong
)

// env is what a subcommand gets: output streams, the language and the string catalog.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	lang           string
	cat            *locales.Catalog
}

// command is one subcommand; run returns the exit code.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

func commands() []command {
	return []command{
		versionCommand(),
		pluginCommand(),
		benchCommand(),
		simCommand(),
		intakeCommand(),
		kioskCommand(),
		evalCommand(),
		validateCommand(),
		sessionsCommand(), keysCommand(), auditCommand(), purgeCommand(), pinCommand(), operatorCommand(),
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cat, err := locales.Load()
	if err != nil {
		fmt.Fprintln(stderr, "ehrazctl:", err)
		return 1
	}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, lang: langFromEnv(), cat: cat}
	// --lang may come before the subcommand.
	for len(args) > 0 && strings.HasPrefix(args[0], "--lang") {
		if v, ok := strings.CutPrefix(args[0], "--lang="); ok {
			e.lang = v
			args = args[1:]
		} else if len(args) > 1 {
			e.lang = args[1]
			args = args[2:]
		} else {
			return usage(e)
		}
	}
	if e.lang != "fa" && e.lang != "en" {
		fmt.Fprintf(stderr, "ehrazctl: unknown language %q (fa or en)\n", e.lang)
		return exitUsage
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		return usage(e)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "ehrazctl: unknown command %q\n", args[0])
	usage(e)
	return exitUsage
}

func langFromEnv() string {
	if v := os.Getenv("EHRAZ_LANG"); v != "" {
		return v
	}
	return locales.Default
}

func usage(e *env) int {
	fmt.Fprintln(e.stderr, "usage: ehrazctl [--lang fa|en] COMMAND [ARGS]")
	for _, c := range commands() {
		fmt.Fprintf(e.stderr, "  %-12s %s\n", c.name, c.summary)
	}
	return exitUsage
}
