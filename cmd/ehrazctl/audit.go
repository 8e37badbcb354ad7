package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/ehraz/ehraz/app/kiosk"
	"github.com/ehraz/ehraz/app/store"
)

func auditCommand() command {
	return command{
		name:    "audit",
		summary: "audit verify [--db PATH]: recompute the audit hash chain (exit 1 at the first altered row) | audit head",
		run: func(ctx context.Context, e *env, args []string) int {
			if len(args) == 0 || (args[0] != "verify" && args[0] != "head") {
				fmt.Fprintln(e.stderr, "usage: ehrazctl audit verify|head [--db PATH | --config F | --data DIR]")
				return exitUsage
			}
			fs := flag.NewFlagSet("audit "+args[0], flag.ContinueOnError)
			fs.SetOutput(e.stderr)
			sf := addStoreFlags(fs)
			dbPath := fs.String("db", "", "database file (default <data dir>/ehraz.db); no key is needed")
			if pos, err := parseStoreArgs(fs, args[1:]); err != nil || len(pos) > 0 {
				return exitUsage
			}
			if *dbPath == "" {
				cfg, err := sf.load()
				if err != nil {
					fmt.Fprintln(e.stderr, "ehrazctl audit:", err)
					return exitInvalid
				}
				*dbPath = kiosk.StoreOptions(cfg).Path
			}
			db, err := store.OpenReadOnly(ctx, *dbPath)
			if err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl audit:", err)
				return exitInvalid
			}
			defer db.Close()
			if args[0] == "head" { // note it outside the kiosk: a later verify plus this proves nothing was cut off
				seq, head, err := store.AuditHead(ctx, db)
				if err != nil {
					fmt.Fprintln(e.stderr, "ehrazctl audit:", err)
					return exitInvalid
				}
				fmt.Fprintf(e.stdout, "%d %s\n", seq, head)
				return exitOK
			}
			n, err := store.VerifyAudit(ctx, db)
			var br *store.AuditBreak
			if errors.As(err, &br) {
				fmt.Fprintln(e.stdout, e.cat.T(e.lang, "store.cli.audit.broken", "seq", fmt.Sprint(br.Seq), "reason", br.Reason))
				return exitInvalid
			}
			if err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl audit:", err)
				return exitInvalid
			}
			_, head, err := store.AuditHead(ctx, db)
			if err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl audit:", err)
				return exitInvalid
			}
			fmt.Fprintln(e.stdout, e.cat.T(e.lang, "store.cli.audit.ok", "rows", fmt.Sprint(n), "head", head))
			return exitOK
		},
	}
}
