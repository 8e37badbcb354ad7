package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/backoffice/database/pgcluster"
	"github.com/ehraz/ehraz/backoffice/fleet"
	"github.com/ehraz/ehraz/services/secrets"
)

// params is one run: a fresh back office on one engine, its kiosks and what is done to it.
type params struct {
	Engine     string
	Bin        string             // bin/ehraz-backoffice
	Work       string             // the run's folder is made under it
	Cluster    *pgcluster.Cluster // the PostgreSQL runs' cluster (a new database per run)
	Kiosks     int
	Dossiers   int // per kiosk
	Kills      int // SIGKILLs of the back office (each followed by a restart) during delivery
	PGRestarts int // pg_ctl restart -m immediate during delivery (PostgreSQL)
	Timeout    time.Duration
	Keep       bool // keep the run's folder (and its SQLite database) for a caller's own checks
	Log        func(format string, args ...any)
}

// result is what a run measured and what the check of the stored dossiers found.
type result struct {
	Engine            string
	Source            string // the database (SQLite file or PostgreSQL connection string)
	Kiosks, Dossiers  int    // dossiers: in all
	Enroll, Elapsed   time.Duration
	P50, P95, Max     time.Duration
	Kills, PGRestarts int // done
	Attempts          int
	// Failed attempts by cause (see delivery).
	NoAnswer, Unauthorized, ServerErr int
	Created, Repeated                 int // answered 201; answered 200 (a retry of a dossier already stored)
	// The back office's processes: CPU time (user + system, over all restarts, its start and the
	// enrollment included; PostgreSQL's own processes not) and peak RSS.
	CPU    time.Duration
	MaxRSS int64
	check
	deliveries []delivery // what the kiosks were told
}

// Throughput is dossiers acknowledged per second of delivery (kills and restarts included).
func (r result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Created+r.Repeated) / r.Elapsed.Seconds()
}

// CPUPerDossier is the back office's CPU time per dossier stored.
func (r result) CPUPerDossier() time.Duration {
	if r.Stored == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Stored)
}

// OK is true when every dossier was delivered and is stored exactly once.
func (r result) OK() bool {
	return r.Stored == r.Dossiers && r.Lost == 0 && r.Duplicates == 0 && r.Missing == 0 && r.Undelivered == 0 && r.Wrong == 0
}

// run starts a back office, enrolls the kiosks, has them deliver while the chaos goes on, stops
// the back office and checks the stored dossiers against what the kiosks were told.
func run(ctx context.Context, p params) (res result, err error) {
	res = result{Engine: p.Engine, Kiosks: p.Kiosks, Dossiers: p.Kiosks * p.Dossiers}
	logf := p.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	dir, err := os.MkdirTemp(p.Work, "run-"+p.Engine+"-")
	if err != nil {
		return res, fmt.Errorf("fleetbench: %w", err)
	}
	if !p.Keep {
		defer os.RemoveAll(dir)
	}
	source := filepath.Join(dir, "data", "intake.db")
	if p.Engine == database.Postgres {
		if p.Cluster == nil {
			return res, errors.New("fleetbench: postgres needs a cluster")
		}
		if source, err = p.Cluster.CreateDatabase(ctx, fmt.Sprintf("fleetbench_%d_%d", os.Getpid(), time.Now().UnixNano())); err != nil {
			return res, err
		}
	}
	res.Source = source
	cfg := officeConfig{Dir: dir, Engine: p.Engine, MaxUploads: max(4, p.Kiosks)}
	if p.Engine == database.Postgres {
		cfg.DSN = source
	}
	o, err := newOffice(p.Bin, cfg)
	if err != nil {
		return res, err
	}
	if err := o.Start(ctx); err != nil {
		return res, err
	}
	defer o.Kill()

	t0 := time.Now()
	kiosks, err := enrollFleet(ctx, o, p.Engine, source, filepath.Join(dir, "kiosks"), p.Kiosks)
	if err != nil {
		return res, err
	}
	res.Enroll = time.Since(t0)
	logf("%s: %d kiosks enrolled in %.1fs; delivering %d dossiers", p.Engine, p.Kiosks, res.Enroll.Seconds(), res.Dossiers)

	dctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	var (
		mu         sync.Mutex
		deliveries = make([]delivery, 0, res.Dossiers)
		acked      atomic.Int64
		wg         sync.WaitGroup
	)
	start := time.Now()
	chaosDone := make(chan chaosReport, 1)
	stopChaos := make(chan struct{})
	go func() { chaosDone <- chaos(dctx, o, p, res.Dossiers, &acked, stopChaos, logf) }()
	url := o.URL
	for i, k := range kiosks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k.deliver(dctx, url, p.Dossiers, i, func(d delivery) {
				if d.Err == nil {
					acked.Add(1)
				}
				mu.Lock()
				deliveries = append(deliveries, d)
				mu.Unlock()
			})
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	close(stopChaos)
	cr := <-chaosDone
	res.Kills, res.PGRestarts = cr.kills, cr.pgRestarts
	if cr.err != nil {
		return res, fmt.Errorf("fleetbench: %w", cr.err)
	}
	if err := o.Stop(); err != nil {
		return res, err
	}
	res.CPU, res.MaxRSS = o.CPU, o.MaxRSS

	var lat []time.Duration
	for _, d := range deliveries {
		res.Attempts += d.Attempts
		res.NoAnswer += d.NoAnswer
		res.Unauthorized += d.Unauthorized
		res.ServerErr += d.ServerErr
		switch {
		case d.Err != nil:
		case d.Status == 201:
			res.Created++
		default:
			res.Repeated++
		}
		if d.Err == nil {
			lat = append(lat, d.Latency)
		}
	}
	res.P50, res.P95, res.Max = quantile(lat, 0.50), quantile(lat, 0.95), quantile(lat, 1)
	res.check, err = verify(ctx, p.Engine, source, deliveries)
	res.deliveries = deliveries
	return res, err
}

// enrollFleet enrolls n kiosks, approving them through the registry over the back office's own
// database, CA and data key (as the console does in the back office's process).
func enrollFleet(ctx context.Context, o *office, engine, source, dir string, n int) ([]*kiosk, error) {
	db, err := database.Open(ctx, engine, source)
	if err != nil {
		return nil, fmt.Errorf("fleetbench: open the back office's database: %w", err)
	}
	defer db.Close()
	ca, err := fleet.LoadOrCreateCA(o.KeysDir(), time.Now())
	if err != nil {
		return nil, err
	}
	if ca.Fingerprint() != o.CAPrint {
		return nil, fmt.Errorf("fleetbench: the CA in %s is not the one the back office printed", o.KeysDir())
	}
	dataKey, err := secrets.LoadKey(filepath.Join(o.KeysDir(), "intake-data.key"))
	if err != nil {
		return nil, err
	}
	return enrollAll(ctx, o, fleet.NewRegistry(db, ca, dataKey, nil), dir, n, 8)
}

type chaosReport struct {
	kills, pgRestarts int
	err               error
}

// chaos kills the back office (SIGKILL, then starts it again at once) when the kiosks have
// had 1/(k+1), 2/(k+1) … of the dossiers acknowledged, and restarts PostgreSQL in immediate
// mode (a crash: no checkpoint, recovery from the WAL) between them; it stops at the end of the
// schedule or when the kiosks are done.
func chaos(ctx context.Context, o *office, p params, total int, acked *atomic.Int64, stop <-chan struct{}, logf func(string, ...any)) (r chaosReport) {
	type event struct {
		at   int64
		kill bool
	}
	var events []event
	for i := 1; i <= p.Kills; i++ {
		events = append(events, event{at: int64(total * i / (p.Kills + 1)), kill: true})
	}
	if p.Engine == database.Postgres {
		for j := 1; j <= p.PGRestarts; j++ {
			frac := min(0.9, float64(2*j+1)/float64(2*(p.Kills+1)))
			events = append(events, event{at: int64(float64(total) * frac)})
		}
	}
	sort.SliceStable(events, func(a, b int) bool { return events[a].at < events[b].at })
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for _, e := range events {
		for acked.Load() < e.at {
			select {
			case <-stop:
				return r
			case <-ctx.Done():
				return r
			case <-tick.C:
			}
		}
		t := time.Now()
		if e.kill {
			o.Kill()
			r.kills++
			if err := o.Start(ctx); err != nil {
				r.err = fmt.Errorf("restart after kill %d: %w", r.kills, err)
				return r
			}
			logf("%s: back office SIGKILLed at %d acknowledged, up again in %.2fs", p.Engine, e.at, time.Since(t).Seconds())
			continue
		}
		if err := p.Cluster.Restart(ctx, "immediate"); err != nil {
			r.err = err
			return r
		}
		r.pgRestarts++
		logf("%s: PostgreSQL restarted (immediate) at %d acknowledged in %.2fs", p.Engine, e.at, time.Since(t).Seconds())
	}
	return r
}

// quantile is the q-quantile of ds (nearest rank; 0 for none).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}
