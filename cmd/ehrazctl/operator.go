package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/ehraz/ehraz/app/pin"
)

// operatorCommand keeps the kiosk's named operators (<data_dir>/keys/operators.json): `operator
// add NAME` reads the new operator's PIN from standard input (never the command line) and stores
// only its hash; `operator remove NAME` and `operator list` (names and dates, never hashes). The
// kiosk reads the list when operator mode opens, so a removed operator cannot log in again.
func operatorCommand() command {
	return command{
		name:    "operator",
		summary: "named operators: operator add NAME (PIN from standard input) | operator remove NAME | operator list [--data DIR]",
		run: func(ctx context.Context, e *env, args []string) int {
			usage := func() int {
				fmt.Fprintln(e.stderr, "usage: echo PIN | ehrazctl operator add NAME [--data DIR] | ehrazctl operator remove NAME | ehrazctl operator list")
				return exitUsage
			}
			if len(args) == 0 {
				return usage()
			}
			sub := args[0]
			fs := flag.NewFlagSet("operator "+sub, flag.ContinueOnError)
			fs.SetOutput(e.stderr)
			sf := addStoreFlags(fs)
			pos, err := parseStoreArgs(fs, args[1:])
			if err != nil {
				return exitUsage
			}
			name := strings.Join(pos, " ")
			switch {
			case sub == "list" && len(pos) == 0:
			case (sub == "add" || sub == "remove") && name != "":
			default:
				return usage()
			}
			cfg, err := sf.load()
			if err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl operator:", err)
				return exitInvalid
			}
			keys := cfg.Path("keys")
			ops, err := pin.LoadOperators(keys)
			if err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl operator:", err)
				return exitInvalid
			}
			switch sub {
			case "list":
				if len(ops.List) == 0 {
					fmt.Fprintln(e.stdout, e.cat.T(e.lang, "pin.cli.operators.none"))
				}
				for _, op := range ops.List {
					fmt.Fprintf(e.stdout, "%s\t%s\n", op.Name, op.AddedAt.Format(time.DateOnly))
				}
				return exitOK
			case "remove":
				if err := ops.Remove(name); err != nil {
					fmt.Fprintln(e.stderr, e.cat.T(e.lang, "pin.cli.operators.unknown", "name", name))
					return exitInvalid
				}
			case "add":
				if _, err := pin.NormalizeName(name); err != nil {
					fmt.Fprintln(e.stderr, e.cat.T(e.lang, "pin.cli.operators.bad_name", "max", fmt.Sprint(pin.MaxNameRunes)))
					return exitInvalid
				}
				hash, ok := readPINHash(e, "ehrazctl operator")
				if !ok {
					return exitInvalid
				}
				if err := ops.Add(name, hash, time.Now()); err != nil {
					key := "pin.cli.operators.bad_name"
					if errors.Is(err, pin.ErrNameTaken) {
						key = "pin.cli.operators.taken"
					}
					fmt.Fprintln(e.stderr, e.cat.T(e.lang, key, "name", name, "max", fmt.Sprint(pin.MaxNameRunes)))
					return exitInvalid
				}
			}
			if err := ops.Save(keys); err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl operator:", err)
				return exitInvalid
			}
			fmt.Fprintln(e.stdout, e.cat.T(e.lang, "pin.cli.operators.saved", "n", fmt.Sprint(len(ops.List))))
			return exitOK
		},
	}
}
