package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ehraz/ehraz/app/kiosk"
	"github.com/ehraz/ehraz/app/store"
)

// headFlags collects --head SEQ:MAC values (heads noted outside the kiosk, e.g. from dossiers).
type headFlags []store.AuditHeadRow

func (h *headFlags) String() string { return fmt.Sprint(len(*h)) }

func (h *headFlags) Set(v string) error {
	seq, mac, ok := strings.Cut(v, ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil || n < 1 || len(mac) != 64 {
		return fmt.Errorf("want SEQ:MAC (a row number and 64 hex digits), got %q", v)
	}
	*h = append(*h, store.AuditHeadRow{Seq: n, MAC: strings.ToLower(mac)})
	return nil
}

func auditCommand() command {
	return command{
		name:    "audit",
		summary: "audit verify [--db PATH] [--head SEQ:MAC]…: check the keyed audit chain (exit 1 at the first altered, removed or reordered row, or when it cannot be checked) | audit head",
		run: func(ctx context.Context, e *env, args []string) int {
			if len(args) == 0 || (args[0] != "verify" && args[0] != "head") {
				fmt.Fprintln(e.stderr, "usage: ehrazctl audit verify|head [--db PATH [--key-file F] | --config F | --data DIR] [--head SEQ:MAC]…")
				return exitUsage
			}
			fs := flag.NewFlagSet("audit "+args[0], flag.ContinueOnError)
			fs.SetOutput(e.stderr)
			sf := addStoreFlags(fs)
			dbPath := fs.String("db", "", "database file (default <data dir>/ehraz.db)")
			keyFile := fs.String("key-file", "", "store key file for --db (default <folder of the database>/keys/store.key; or EHRAZ_STORE_KEY)")
			var heads headFlags
			fs.Var(&heads, "head", "a head noted elsewhere (a dossier's audit seq:head): verify fails if the chain no longer has it (repeatable)")
			if pos, err := parseStoreArgs(fs, args[1:]); err != nil || len(pos) > 0 {
				return exitUsage
			}
			opts := store.Options{Path: *dbPath, KeyFile: *keyFile}
			if *dbPath == "" {
				cfg, err := sf.load()
				if err != nil {
					fmt.Fprintln(e.stderr, "ehrazctl audit:", err)
					return exitInvalid
				}
				opts = kiosk.StoreOptions(cfg)
			} else if opts.KeyFile == "" {
				opts.KeyFile = filepath.Join(filepath.Dir(*dbPath), "keys", "store.key")
			}
			db, err := store.OpenReadOnly(ctx, opts.Path)
			if err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl audit:", err)
				return exitInvalid
			}
			defer db.Close()
			if args[0] == "head" { // note it outside the kiosk: a later verify --head proves nothing was cut off
				seq, head, err := store.AuditHead(ctx, db)
				if err != nil {
					fmt.Fprintln(e.stderr, "ehrazctl audit:", err)
					return exitInvalid
				}
				fmt.Fprintf(e.stdout, "%d %s\n", seq, head)
				return exitOK
			}
			// The chain is keyed: without the store key nothing can be said about it.
			keys, err := store.LoadKeys(opts)
			if err != nil {
				fmt.Fprintln(e.stdout, e.cat.T(e.lang, "store.cli.audit.unverifiable"))
				fmt.Fprintln(e.stderr, "ehrazctl audit:", err)
				return exitInvalid
			}
			n, err := store.VerifyAudit(ctx, db, keys, heads...)
			var br *store.AuditBreak
			switch {
			case errors.As(err, &br):
				fmt.Fprintln(e.stdout, e.cat.T(e.lang, "store.cli.audit.broken", "seq", fmt.Sprint(br.Seq), "reason", br.Reason))
				return exitInvalid
			case errors.Is(err, store.ErrAuditUnverifiable):
				fmt.Fprintln(e.stdout, e.cat.T(e.lang, "store.cli.audit.unverifiable"))
				fmt.Fprintln(e.stderr, "ehrazctl audit:", err)
				return exitInvalid
			case err != nil:
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
