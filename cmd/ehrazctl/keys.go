package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
)

func keysCommand() command {
	return command{
		name:    "keys",
		summary: "store keys: keys show | keys rotate [--keep-old]",
		run: func(ctx context.Context, e *env, args []string) int {
			if len(args) == 0 || (args[0] != "show" && args[0] != "rotate") {
				fmt.Fprintln(e.stderr, "usage: ehrazctl keys show [--config F] [--data DIR] | ehrazctl keys rotate [--keep-old]")
				return exitUsage
			}
			fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
			fs.SetOutput(e.stderr)
			sf := addStoreFlags(fs)
			keepOld := fs.Bool("keep-old", false, "move the old key to keys/retired/ instead of shredding it")
			if pos, err := parseStoreArgs(fs, args[1:]); err != nil || len(pos) > 0 {
				return exitUsage
			}
			s, _, err := sf.open(ctx)
			if err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl keys:", err)
				return exitInvalid
			}
			defer s.Close()
			if args[0] == "show" {
				ids, err := s.KeyIDsInUse(ctx)
				if err != nil {
					fmt.Fprintln(e.stderr, "ehrazctl keys:", err)
					return exitInvalid
				}
				fmt.Fprintln(e.stdout, e.cat.T(e.lang, "store.cli.keys.active", "id", s.ActiveKeyID()))
				fmt.Fprintln(e.stdout, e.cat.T(e.lang, "store.cli.keys.in_use", "ids", strings.Join(ids, " ")))
				return exitOK
			}
			rep, err := s.RotateKeyFile(ctx, *keepOld)
			if err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl keys:", err)
				return exitInvalid
			}
			fmt.Fprintln(e.stdout, e.cat.T(e.lang, "store.cli.keys.rotated", "old", rep.OldKeyID, "new", rep.NewKeyID,
				"sessions", fmt.Sprint(rep.Sessions), "media", fmt.Sprint(rep.Media)))
			return exitOK
		},
	}
}
