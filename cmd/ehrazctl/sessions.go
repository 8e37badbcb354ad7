package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ehraz/ehraz/app/config"
	"github.com/ehraz/ehraz/app/kiosk"
	"github.com/ehraz/ehraz/app/store"
)

// storeFlags are the flags every store subcommand shares: the kiosk's configuration file and
// an optional data folder overriding it (database <data>/ehraz.db, key <data>/keys/store.key).
type storeFlags struct {
	config  string
	dataDir string
}

func addStoreFlags(fs *flag.FlagSet) *storeFlags {
	f := &storeFlags{}
	fs.StringVar(&f.config, "config", "", "the kiosk's TOML configuration (defaults are embedded; EHRAZ_DATA_DIR overrides)")
	fs.StringVar(&f.dataDir, "data", "", "data folder (overrides the configuration)")
	return f
}

func (f *storeFlags) load() (config.Config, error) {
	cfg, err := config.Load(f.config)
	if err != nil {
		return cfg, err
	}
	if f.dataDir != "" {
		cfg.DataDir = f.dataDir
	}
	return cfg, nil
}

// open opens the kiosk's store; it refuses to create a database that does not exist.
func (f *storeFlags) open(ctx context.Context) (*store.Store, config.Config, error) {
	cfg, err := f.load()
	if err != nil {
		return nil, cfg, err
	}
	o := kiosk.StoreOptions(cfg)
	if _, err := os.Stat(o.Path); err != nil {
		return nil, cfg, fmt.Errorf("no database at %s: %w", o.Path, err)
	}
	s, err := store.Open(ctx, o)
	return s, cfg, err
}

// openInfo opens the kiosk's database read-only without the key (non-personal reads only).
func (f *storeFlags) openInfo(ctx context.Context) (*store.Store, error) {
	cfg, err := f.load()
	if err != nil {
		return nil, err
	}
	path := kiosk.StoreOptions(cfg).Path
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database at %s: %w", path, err)
	}
	return store.OpenInfo(ctx, path)
}

// openFor opens with the key only when personal data is to be shown.
func (f *storeFlags) openFor(ctx context.Context, reveal bool) (*store.Store, error) {
	if reveal {
		s, _, err := f.open(ctx)
		return s, err
	}
	return f.openInfo(ctx)
}

// parseInterspersed parses flags that may come before or after the positional arguments.
func parseStoreArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func sessionsCommand() command {
	return command{
		name:    "sessions",
		summary: "sessions list [--all|--day YYYY-MM-DD] [--reveal] | sessions show ID [--reveal]",
		run: func(ctx context.Context, e *env, args []string) int {
			if len(args) == 0 {
				fmt.Fprintln(e.stderr, "usage: ehrazctl sessions list [--config F] [--data DIR] [--all|--day YYYY-MM-DD] [--reveal] | sessions show ID [--reveal]")
				return exitUsage
			}
			switch args[0] {
			case "list":
				return sessionsList(ctx, e, args[1:])
			case "show":
				return sessionsShow(ctx, e, args[1:])
			}
			fmt.Fprintf(e.stderr, "ehrazctl sessions: unknown subcommand %q\n", args[0])
			return exitUsage
		},
	}
}

func sessionsList(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("sessions list", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	sf := addStoreFlags(fs)
	all := fs.Bool("all", false, "every session, not only today's")
	day := fs.String("day", "", "sessions started on this day (YYYY-MM-DD, local time)")
	reveal := fs.Bool("reveal", false, "also print each applicant's national code and name (decrypted with the key)")
	if pos, err := parseStoreArgs(fs, args); err != nil || len(pos) > 0 {
		return exitUsage
	}
	s, err := sf.openFor(ctx, *reveal)
	if err != nil {
		fmt.Fprintln(e.stderr, "ehrazctl sessions:", err)
		return exitInvalid
	}
	defer s.Close()
	var list []store.Summary
	switch {
	case *all:
		list, err = s.Sessions(ctx, time.UnixMilli(0), time.Now().AddDate(100, 0, 0))
	case *day != "":
		var d time.Time
		if d, err = time.ParseInLocation("2006-01-02", *day, time.Local); err != nil {
			fmt.Fprintln(e.stderr, "ehrazctl sessions: --day:", err)
			return exitUsage
		}
		list, err = s.Today(ctx, d)
	default:
		list, err = s.Today(ctx, time.Now())
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "ehrazctl sessions:", err)
		return exitInvalid
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, e.cat.T(e.lang, "store.cli.sessions.none"))
		return exitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, e.cat.T(e.lang, "store.cli.sessions.header"))
	for _, m := range list {
		row := []string{m.ID, string(m.Step), m.Mode, storeClock(m.StartedAt), storeClock(m.LastActive), sessionState(e, m), storeYesNo(e, m.NeedsReview)}
		if *reveal {
			row = append(row, storeRevealShort(ctx, s, m.ID))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	return exitOK
}

func storeRevealShort(ctx context.Context, s *store.Store, id string) string {
	r, err := s.Load(ctx, id)
	if err != nil {
		return "?"
	}
	if r.Person == nil {
		return string(r.NationalCode)
	}
	return string(r.NationalCode) + " " + r.Person.FirstName + " " + r.Person.LastName
}

func sessionsShow(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("sessions show", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	sf := addStoreFlags(fs)
	reveal := fs.Bool("reveal", false, "also print the applicant's personal data (decrypted with the key)")
	pos, err := parseStoreArgs(fs, args)
	if err != nil || len(pos) != 1 {
		fmt.Fprintln(e.stderr, "usage: ehrazctl sessions show ID [--reveal]")
		return exitUsage
	}
	s, err := sf.openFor(ctx, *reveal)
	if err != nil {
		fmt.Fprintln(e.stderr, "ehrazctl sessions:", err)
		return exitInvalid
	}
	defer s.Close()
	in, err := s.Info(ctx, pos[0])
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintln(e.stderr, e.cat.T(e.lang, store.ErrorKey(err)))
		return exitInvalid
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "ehrazctl sessions:", err)
		return exitInvalid
	}
	printSessionInfo(e, in)
	if *reveal {
		r, err := s.Load(ctx, in.ID)
		if err != nil {
			fmt.Fprintln(e.stderr, "ehrazctl sessions:", err)
			return exitInvalid
		}
		fmt.Fprintf(e.stdout, "\n%s\n", e.cat.T(e.lang, "store.cli.show.person"))
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		field := func(key string, values ...string) {
			fmt.Fprintf(tw, "  %s\t%s\n", e.cat.T(e.lang, "store.cli.field."+key), strings.TrimSpace(strings.Join(values, " ")))
		}
		field("mobile", string(r.Mobile))
		field("national_code", string(r.NationalCode))
		field("tracking", string(r.Tracking))
		field("card", string(r.CardSerial), string(r.CardKind))
		field("client_ip", r.ClientIP)
		if p := r.Person; p != nil {
			field("name", p.FirstName, p.LastName)
			field("father", p.FatherName)
			field("birth", p.BirthDate, p.PlaceOfBirth)
			field("gender", p.Gender)
			field("type", string(p.Type), p.Nationality)
			field("sejam_mobile", string(p.Mobile))
		}
		tw.Flush()
	}
	return exitOK
}

func printSessionInfo(e *env, in store.Info) {
	w := e.stdout
	fmt.Fprintf(w, "%s  %s  %s  %s → %s  %s\n", in.ID, in.Step, in.Mode, storeClock(in.StartedAt), storeClock(in.LastActive), sessionState(e, in.Summary))
	if in.Outcome != "" {
		fmt.Fprintf(w, "  %s\n", e.cat.T(e.lang, in.Outcome))
	}
	section := func(key string, n int, each func(tw io.Writer, i int)) {
		if n == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", e.cat.T(e.lang, key))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for i := 0; i < n; i++ {
			each(tw, i)
		}
		tw.Flush()
	}
	section("store.cli.show.events", len(in.Events), func(tw io.Writer, i int) {
		ev := in.Events[i]
		fmt.Fprintf(tw, "  %s\t%s\t%s → %s\t%s\n", storeClock(ev.At), ev.Name, ev.From, ev.To, ev.Detail)
	})
	section("store.cli.show.checks", len(in.Checks), func(tw io.Writer, i int) {
		c := in.Checks[i]
		fmt.Fprintf(tw, "  %s\t%s #%d\t%s\tscore=%.3f\t%dms\t%s\n", storeClock(c.At), c.Step, c.Attempt, c.Outcome, c.Score,
			c.Duration.Milliseconds(), strings.Join(c.Reasons, ","))
		for _, r := range c.Rules {
			fmt.Fprintf(tw, "  \t  %s\t%s\t%s %s %s\t\t%s\n", r.Name, r.Outcome,
				strconv.FormatFloat(r.Value, 'g', 4, 64), "/", strconv.FormatFloat(r.Threshold, 'g', 4, 64)+r.Unit, r.Reason)
		}
	})
	section("store.cli.show.overrides", len(in.Overrides), func(tw io.Writer, i int) {
		o := in.Overrides[i]
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", storeClock(o.At), o.Step, o.Outcome, o.Reason)
	})
	section("store.cli.show.media", len(in.Media), func(tw io.Writer, i int) {
		m := in.Media[i]
		fmt.Fprintf(tw, "  %s\t%s\t%d B\tsha256=%s\tkey=%s\n", m.Name, m.Format, m.Size, m.SHA256, m.KeyID)
	})
}

func storeClock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func sessionState(e *env, m store.Summary) string {
	switch {
	case m.Wiped:
		return e.cat.T(e.lang, "store.cli.state.wiped")
	case m.Expired:
		return e.cat.T(e.lang, "store.cli.state.expired")
	case m.Finished:
		return e.cat.T(e.lang, "store.cli.state.finished")
	}
	return e.cat.T(e.lang, "store.cli.state.open")
}

func storeYesNo(e *env, b bool) string {
	if b {
		return e.cat.T(e.lang, "store.cli.yes")
	}
	return e.cat.T(e.lang, "store.cli.no")
}
