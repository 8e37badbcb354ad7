// Command fleetbench is the back office's load and failure test (issue 13 item 5): for each
// engine, in one run, it starts the real back office (bin/ehraz-backoffice as a child process,
// TLS from its own CA and require_mtls, from a TOML file) on a loopback port with a fresh
// database — SQLite in the run's folder, PostgreSQL in a throwaway cluster it starts itself
// (backoffice/database/pgcluster: Unix socket only, fsync and synchronous_commit on) — enrolls N
// simulated kiosks (goroutines, each its own P-256 key and certificate, through the real
// /v1/enroll, approved through the registry as the console's admin would), and has each
// deliver M dossiers over mutual TLS, retried with backoff, while the back office is SIGKILLed
// and restarted -kills times and PostgreSQL is restarted in immediate mode -pg-restarts times.
// Then it reads the database and checks that every dossier is stored exactly once and nothing
// answered 201 is missing. It prints key=value lines and a scaling table (the same without
// kills for each -scale fleet size), and exits 1 when any check fails.
//
//	go run ./tools/fleetbench -bin bin/ehraz-backoffice [-kiosks 200 -dossiers 50 -kills 3 -pg-restarts 1]
//
// Everything runs on loopback and is bounded: -timeout bounds the whole run, -run-timeout the
// delivery of one run (kiosks still retrying then give up and are counted as undelivered).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/backoffice/database/pgcluster"
)

func main() {
	os.Exit(mainErr(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	bin, work                           string
	engines                             []string
	kiosks, dossiers, kills, pgRestarts int
	scale                               []int
	scaleDossiers                       int
	timeout, runTimeout                 time.Duration
}

func mainErr(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fleetbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var engines, scale string
	fs.StringVar(&o.bin, "bin", "bin/ehraz-backoffice", "the back office's program (make build)")
	fs.StringVar(&o.work, "work", "", "folder for the runs' data (a temporary one when empty)")
	fs.StringVar(&engines, "engines", "sqlite,postgres", "engines, in order")
	fs.IntVar(&o.kiosks, "kiosks", 200, "simulated kiosks of the failure run")
	fs.IntVar(&o.dossiers, "dossiers", 50, "dossiers per kiosk")
	fs.IntVar(&o.kills, "kills", 3, "SIGKILLs (each followed by a restart) of the back office during the failure run")
	fs.IntVar(&o.pgRestarts, "pg-restarts", 1, "pg_ctl restart -m immediate of the cluster during the failure run (postgres)")
	fs.StringVar(&scale, "scale", "1,10,50,200", "fleet sizes of the scaling table (no kills); empty for none")
	fs.IntVar(&o.scaleDossiers, "scale-dossiers", 50, "dossiers per kiosk in the scaling runs")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Minute, "bound on the whole bench")
	fs.DurationVar(&o.runTimeout, "run-timeout", 5*time.Minute, "bound on one run's delivery")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	for _, e := range strings.Split(engines, ",") {
		if e = strings.TrimSpace(e); e != database.SQLite && e != database.Postgres {
			fmt.Fprintf(stderr, "fleetbench: unknown engine %q (sqlite, postgres)\n", e)
			return 2
		}
		o.engines = append(o.engines, strings.TrimSpace(e))
	}
	for _, s := range strings.Split(scale, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "fleetbench: bad -scale entry %q\n", s)
			return 2
		}
		o.scale = append(o.scale, n)
	}
	if o.kiosks < 1 || o.dossiers < 1 || o.kiosks > 999 {
		fmt.Fprintln(stderr, "fleetbench: -kiosks must be 1…999 and -dossiers at least 1")
		return 2
	}
	if _, err := os.Stat(o.bin); err != nil {
		fmt.Fprintf(stderr, "fleetbench: %v (run make build first)\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	failed := false
	var table []result
	for _, engine := range o.engines {
		ok, scaled := benchEngine(ctx, o, engine, stdout, stderr)
		failed = failed || !ok
		table = append(table, scaled...)
	}
	if len(table) > 0 {
		fmt.Fprintln(stdout, "\nscaling (no kills):")
		fmt.Fprintf(stdout, "%-9s %7s %9s %12s %8s %8s %9s %12s %7s\n", "engine", "kiosks", "dossiers", "dossiers/s", "p50_ms", "p95_ms", "attempts",
			"cpu_ms/doss", "rss_MB")
		for _, r := range table {
			fmt.Fprintf(stdout, "%-9s %7d %9d %12.1f %8.1f %8.1f %9d %12.2f %7.0f\n", r.Engine, r.Kiosks, r.Dossiers, r.Throughput(), ms(r.P50), ms(r.P95),
				r.Attempts, ms(r.CPUPerDossier()), float64(r.MaxRSS)/(1<<20))
		}
	}
	if failed {
		fmt.Fprintln(stdout, "fleetbench: FAILED")
		return 1
	}
	fmt.Fprintln(stdout, "fleetbench: ok")
	return 0
}

// benchEngine runs the failure run and the scaling runs of one engine, printing each; ok is
// false when a run failed or a check found a lost or duplicated dossier.
func benchEngine(ctx context.Context, o options, engine string, stdout, stderr io.Writer) (ok bool, scaled []result) {
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, "fleetbench: "+format+"\n", args...) }
	p := params{Engine: engine, Bin: o.bin, Work: o.work, Timeout: o.runTimeout, Log: logf}
	if engine == database.Postgres {
		// Durable settings (fsync, synchronous_commit on): the run crashes the cluster.
		c, err := pgcluster.Start(ctx, pgcluster.Options{})
		if err != nil {
			fmt.Fprintf(stdout, "engine=postgres status=NOT_RUN reason=%q\n", err.Error())
			fmt.Fprintln(stderr, "fleetbench: POSTGRESQL NOT TESTED:", err)
			return false, nil
		}
		defer c.Stop()
		defer func() { reportServerLog(stderr, c.Log()) }()
		p.Cluster = c
	}
	ok = true
	fail := p
	fail.Kiosks, fail.Dossiers, fail.Kills, fail.PGRestarts = o.kiosks, o.dossiers, o.kills, o.pgRestarts
	r, err := run(ctx, fail)
	printResult(stdout, "", r, err)
	ok = ok && err == nil && r.OK()
	for _, n := range o.scale {
		s := p
		s.Kiosks, s.Dossiers = n, o.scaleDossiers
		r, err := run(ctx, s)
		printResult(stdout, "scale ", r, err)
		ok = ok && err == nil && r.OK()
		if err == nil {
			scaled = append(scaled, r)
		}
	}
	return ok, scaled
}

func printResult(w io.Writer, prefix string, r result, err error) {
	status := "ok"
	if err != nil || !r.OK() {
		status = "FAILED"
	}
	fmt.Fprintf(w, "%sengine=%s kiosks=%d dossiers=%d enroll_s=%.2f elapsed_s=%.2f throughput=%.1f p50_ms=%.1f p95_ms=%.1f max_ms=%.1f attempts=%d no_answer=%d http401=%d http5xx=%d kills=%d pg_restarts=%d created=%d repeated=%d stored=%d lost=%d duplicates=%d missing=%d undelivered=%d wrong_kiosk=%d backoffice_cpu_s=%.2f cpu_ms_per_dossier=%.2f backoffice_maxrss_mb=%.0f status=%s\n",
		prefix, r.Engine, r.Kiosks, r.Dossiers, r.Enroll.Seconds(), r.Elapsed.Seconds(), r.Throughput(), ms(r.P50), ms(r.P95), ms(r.Max),
		r.Attempts, r.NoAnswer, r.Unauthorized, r.ServerErr, r.Kills, r.PGRestarts, r.Created, r.Repeated, r.Stored, r.Lost, r.Duplicates, r.Missing, r.Undelivered, r.Wrong,
		r.CPU.Seconds(), ms(r.CPUPerDossier()), float64(r.MaxRSS)/(1<<20), status)
	if err != nil {
		fmt.Fprintf(w, "%serror=%q\n", prefix, err.Error())
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "%sproblem=%q\n", prefix, p)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// reportServerLog tells how many errors PostgreSQL logged over the engine's runs, by message.
func reportServerLog(w io.Writer, log string) {
	counts := map[string]int{}
	var order []string
	for _, line := range strings.Split(log, "\n") {
		i := strings.Index(line, "FATAL:")
		if i < 0 {
			i = strings.Index(line, "ERROR:")
		}
		if i < 0 {
			continue
		}
		msg := line[i:]
		if counts[msg] == 0 {
			order = append(order, msg)
		}
		counts[msg]++
	}
	for _, m := range order {
		fmt.Fprintf(w, "fleetbench: postgres server log: %d × %s\n", counts[m], m)
	}
}
