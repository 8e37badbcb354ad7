package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A short soak in `make test`: 120 applicants over 3 simulated days with the retention periods
// scaled down (finished 12 h, abandoned 6 h) so purges settle inside the run, one key rotation and
// two hours of back office down; every rule of the full run (`make soak`) is checked. Real plugins
// take part when bin/plugins holds them (EHRAZ_SOAK_PLUGINS=0 leaves them out).
func TestSoakShort(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: -short")
	}
	o := options{Sessions: 120, Days: 3, Rotations: 1, DownHours: 2, RetainFinished: 12 * time.Hour, RetainAbandoned: 6 * time.Hour,
		Shared: sharedDir(), PluginEvery: 20, KillPluginEvery: 50}
	var out bytes.Buffer
	o.Out = &out
	if dir := filepath.Join("..", "..", "bin", "plugins"); os.Getenv("EHRAZ_SOAK_PLUGINS") != "0" {
		if _, err := os.Stat(filepath.Join(dir, "face.json")); err == nil {
			o.Plugins = dir
		}
	}
	res, err := run(context.Background(), o)
	if res != nil {
		res.report(&out, o)
	}
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		t.Error(p)
	}
	// The run did what it says: every script ran, dossiers left, purges and a rotation happened,
	// the outage refused posts, and a figure was taken for every day.
	for _, name := range scriptNames {
		if res.Outcomes[name] == 0 {
			t.Errorf("no session %s", name)
		}
	}
	if res.Submitted == 0 || res.Purged == 0 || res.Rotations != 1 || res.Refused == 0 || len(res.Days) != o.Days+1 {
		t.Errorf("submitted %d, purged %d, rotations %d, refused posts %d, days measured %d", res.Submitted, res.Purged, res.Rotations, res.Refused, len(res.Days))
	}
	if o.Plugins != "" && (res.Killed == 0 || len(res.PluginCall) != 4) {
		t.Errorf("plugins: killed %d, methods called %v", res.Killed, res.PluginCall)
	}
	if !strings.Contains(out.String(), "soak: PASS") {
		t.Error("the report does not say PASS")
	}
}

// The growth rules catch a leak: a run whose figures grow past them is reported.
func TestSoakRulesCatchGrowth(t *testing.T) {
	o := options{Days: 4, RetainFinished: 12 * time.Hour, RetainAbandoned: 6 * time.Hour}
	mk := func(g, files int, heap, db int64, audit int) day {
		return day{Goroutines: g, Files: files, Heap: heap, RSS: 80 << 20, DB: db, AuditRows: audit, SessionRows: 10, PluginRSS: map[string]int64{}}
	}
	res := &result{Days: []day{mk(10, 20, 4<<20, 1<<20, 0), mk(10, 20, 4<<20, 1<<20, 0), mk(10, 20, 4<<20, 2<<20, 100),
		mk(10, 20, 4<<20, 2<<20, 200), mk(60, 40, 40<<20, 40<<20, 300)}}
	k := &kit{o: o, res: res}
	problems := k.growthRules()
	for _, want := range []string{"goroutines", "open files", "Go heap", "database"} {
		found := false
		for _, p := range problems {
			found = found || strings.Contains(p, want)
		}
		if !found {
			t.Errorf("growth of %s not reported: %v", want, problems)
		}
	}
	res.Days[4] = mk(12, 21, 5<<20, 2<<20+300*1024, 300)
	if p := k.growthRules(); len(p) != 0 {
		t.Errorf("flat figures reported: %v", p)
	}
}
