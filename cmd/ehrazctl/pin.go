package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/ehraz/ehraz/app/pin"
)

// pinCommand sets the operator PIN: `pin set` stores its hash where the kiosk reads it
// (<data_dir>/keys/operator.pin.hash), `pin hash` prints the hash for [operator] pin_hash.
// The PIN is read from standard input, never from the command line (which other users and the
// shell history would see), and never printed.
func pinCommand() command {
	return command{
		name:    "pin",
		summary: "operator PIN from standard input: pin set [--data DIR] | pin hash",
		run: func(ctx context.Context, e *env, args []string) int {
			if len(args) == 0 || (args[0] != "set" && args[0] != "hash") {
				fmt.Fprintln(e.stderr, "usage: echo PIN | ehrazctl pin set [--config F] [--data DIR] | echo PIN | ehrazctl pin hash")
				return exitUsage
			}
			fs := flag.NewFlagSet("pin "+args[0], flag.ContinueOnError)
			fs.SetOutput(e.stderr)
			sf := addStoreFlags(fs)
			if pos, err := parseStoreArgs(fs, args[1:]); err != nil || len(pos) > 0 {
				return exitUsage
			}
			hash, ok := readPINHash(e, "ehrazctl pin")
			if !ok {
				return exitInvalid
			}
			if args[0] == "hash" {
				fmt.Fprintln(e.stdout, hash)
				return exitOK
			}
			cfg, err := sf.load()
			if err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl pin:", err)
				return exitInvalid
			}
			keys := cfg.Path("keys")
			if err := pin.WriteFile(keys, hash); err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl pin:", err)
				return exitInvalid
			}
			fmt.Fprintln(e.stdout, e.cat.T(e.lang, "pin.cli.saved", "path", filepath.Join(keys, pin.FileName)))
			if cfg.Operator.PINHash != "" {
				fmt.Fprintln(e.stderr, e.cat.T(e.lang, "pin.cli.config_wins"))
			}
			return exitOK
		},
	}
}

// readPINHash asks for a PIN on standard input (never the command line), checks it and returns
// its hash; a bad PIN or a hashing failure is reported on stderr (who names the command).
func readPINHash(e *env, who string) (string, bool) {
	fmt.Fprintln(e.stderr, e.cat.T(e.lang, "pin.cli.prompt", "min", fmt.Sprint(pin.MinDigits), "max", fmt.Sprint(pin.MaxDigits)))
	sc := bufio.NewScanner(e.stdin)
	sc.Scan()
	code, err := pin.Normalize(sc.Text())
	if err != nil {
		fmt.Fprintln(e.stderr, e.cat.T(e.lang, "pin.cli.invalid", "min", fmt.Sprint(pin.MinDigits), "max", fmt.Sprint(pin.MaxDigits)))
		return "", false
	}
	hash, err := pin.Hash(code)
	if err != nil {
		fmt.Fprintln(e.stderr, who+":", err)
		return "", false
	}
	return hash, true
}
