package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/backoffice/database/pgcluster"
	"github.com/ehraz/ehraz/domain/kyc"
)

// buildBackoffice builds the back office's program as `make build` does (the build cache makes
// it a link after make build).
func buildBackoffice(t *testing.T) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "ehraz-backoffice")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, goCmd, "build", "-o", bin, "github.com/ehraz/ehraz/backoffice").CombinedOutput(); err != nil {
		t.Fatalf("build the back office: %v\n%s", err, out)
	}
	return bin
}

// Ten kiosks with their own certificates deliver ten dossiers each to the real back office
// process over mutual TLS while it is SIGKILLed and restarted once (and, on PostgreSQL, the
// cluster is crashed and restarted once): every dossier is stored exactly once under the receipt
// its kiosk was given. The checker itself is then shown to catch a lost and a misfiled dossier.
func TestFleetSurvivesKills(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the back office and a PostgreSQL cluster (about 15s)")
	}
	bin := buildBackoffice(t)
	for _, engine := range []string{database.SQLite, database.Postgres} {
		t.Run(engine, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			p := params{Engine: engine, Bin: bin, Work: t.TempDir(), Kiosks: 10, Dossiers: 10, Kills: 1, Timeout: 45 * time.Second,
				Keep: true, Log: t.Logf}
			if engine == database.Postgres {
				c, err := pgcluster.Start(ctx, pgcluster.Options{})
				if err != nil {
					t.Skipf("SKIP (PostgreSQL NOT TESTED): no throwaway cluster: %v", err)
				}
				defer c.Stop()
				p.Cluster, p.PGRestarts = c, 1
			}
			r, err := run(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %.1f dossiers/s, p95 %.0f ms, attempts %d (no answer %d, 401 %d, 5xx %d), created %d, repeated %d",
				engine, r.Throughput(), ms(r.P95), r.Attempts, r.NoAnswer, r.Unauthorized, r.ServerErr, r.Created, r.Repeated)
			if !r.OK() || r.Stored != 100 || r.Created+r.Repeated != 100 {
				t.Fatalf("not exactly once: stored %d, lost %d, duplicates %d, missing %d, undelivered %d, wrong kiosk %d: %q",
					r.Stored, r.Lost, r.Duplicates, r.Missing, r.Undelivered, r.Wrong, r.Problems)
			}
			if r.Kills != 1 || r.PGRestarts != p.PGRestarts {
				t.Errorf("kills %d, PostgreSQL restarts %d; want 1, %d", r.Kills, r.PGRestarts, p.PGRestarts)
			}
			if r.NoAnswer == 0 {
				t.Error("no delivery met the killed back office: the kill did not happen during delivery")
			}

			// The checker: an acknowledged dossier that is not stored, and one whose receipt names
			// another row, are both counted lost; a stored row no kiosk sent is a duplicate.
			lost := append([]delivery(nil), r.deliveries...)
			lost = append(lost, delivery{Key: "fleetbench-never-stored", Kiosk: "bench-kiosk-000", Status: 201, Receipt: 999999})
			lost[0].Receipt += 100000
			c, err := verify(ctx, engine, r.Source, lost)
			if err != nil {
				t.Fatal(err)
			}
			if c.Lost != 2 || c.Missing != 1 {
				t.Errorf("checker: lost %d missing %d, want 2 and 1 (%q)", c.Lost, c.Missing, c.Problems)
			}
			c, err = verify(ctx, engine, r.Source, r.deliveries[1:])
			if err != nil {
				t.Fatal(err)
			}
			if c.Duplicates != 1 {
				t.Errorf("checker: a row no kiosk sent counted %d duplicates, want 1", c.Duplicates)
			}
		})
	}
}

func TestNationalCodesAreValidAndDistinct(t *testing.T) {
	seen := map[string]int{}
	for _, n := range []int{1, 2, 9, 10, 99999, 100000, 100001, 999*100000 + 49 + 1, 99_999_999} {
		nc := nationalCode(n)
		if _, err := kyc.ParseNationalCode(nc); err != nil {
			t.Errorf("nationalCode(%d) = %s: %v", n, nc, err)
		}
		if m, dup := seen[nc]; dup {
			t.Errorf("nationalCode(%d) = nationalCode(%d) = %s", n, m, nc)
		}
		seen[nc] = n
	}
}

func TestQuantile(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var hundred []time.Duration
	for i := 100; i >= 1; i-- {
		hundred = append(hundred, ms(i))
	}
	for _, c := range []struct {
		name string
		in   []time.Duration
		q    float64
		want time.Duration
	}{
		{"none", nil, 0.95, 0},
		{"one", []time.Duration{ms(7)}, 0.95, ms(7)},
		{"p50 of 1..100", hundred, 0.50, ms(50)},
		{"p95 of 1..100", hundred, 0.95, ms(95)},
		{"max of 1..100", hundred, 1, ms(100)},
	} {
		if got := quantile(c.in, c.q); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// Bad flags are refused before anything starts.
func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-engines", "mysql"},
		{"-scale", "1,x"},
		{"-kiosks", "0"},
		{"-bin", filepath.Join(os.TempDir(), "no-such-backoffice")},
	} {
		if code := mainErr(args, &testWriter{t}, &testWriter{t}); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }
