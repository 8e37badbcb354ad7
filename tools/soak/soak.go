package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ehraz/ehraz/app/config"
	"github.com/ehraz/ehraz/app/detect"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/kiosk"
	"github.com/ehraz/ehraz/app/store"
	"github.com/ehraz/ehraz/backoffice/office"
	"github.com/ehraz/ehraz/domain/clock"
	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/services/otp"
	"github.com/ehraz/ehraz/services/secrets"
)

// options set one soak run.
type options struct {
	Sessions        int           // applicants driven through the flow
	Days            int           // simulated days they are spread over
	Dir             string        // data folder ("" = a fresh temporary one, removed afterwards)
	Plugins         string        // detector plugin folder ("" = none: no plugin side calls)
	PluginEvery     int           // every Nth session also runs its captures through the real plugins
	KillPluginEvery int           // SIGKILL one plugin process every N sessions (0 = never)
	Rotations       int           // store key rotations, spread over the run
	DownHours       int           // simulated hours the back office answers 503, on the middle day
	RetainFinished  time.Duration // retention of finished sessions
	RetainAbandoned time.Duration // retention of expired and abandoned sessions
	Shared          string        // shared data folder (a face photo for the plugin calls)
	Out             io.Writer
}

// day is the figures taken at the end of one simulated day.
type day struct {
	Day, Sessions                int
	RSS, Heap, DB, Media         int64
	Goroutines, Files            int
	SessionRows, AuditRows       int
	OutboxRows, Delivered        int
	PluginRSS                    map[string]int64
	PluginRestarts               int
	MediaSessions, LiveWithMedia int
}

// result is what a run measured and the rules it broke.
type result struct {
	Days       []day
	Outcomes   map[string]int // how sessions ended, by script
	Submitted  int
	PluginCall map[string]map[string]int // method → outcome → count
	Killed     int
	Rotations  int
	Purged     int
	AckPosts   int // 2xx answers of the intake to dossier posts (through the proxy)
	Refused    int // posts answered 503 while the back office was down
	Problems   []string
	Elapsed    time.Duration
}

// script is what one simulated applicant does.
type script int

const (
	complete   script = iota // all ten steps, the dossier leaves
	abandon                  // walks away at some step; the next applicant's start ends the session
	idle                     // stops at some step; the idle timeout wipes it
	lockCodes                // types wrong SMS codes until the session locks
	killResume               // the kiosk dies mid-step (the flow object is dropped) and resumes
)

var scriptNames = map[script]string{complete: "completed", abandon: "abandoned", idle: "idle-expired", lockCodes: "locked", killResume: "killed+resumed"}

// scriptFor is session i's script: 12 in 20 complete, 3 abandon, 2 idle out, 1 locks, 2 are killed.
func scriptFor(i int) script {
	switch i % 20 {
	case 3, 9, 15:
		return abandon
	case 5, 17:
		return idle
	case 11:
		return lockCodes
	case 7, 19:
		return killResume
	}
	return complete
}

// scripted are the flow's detectors: a pass for every capture. The real plugins run beside the
// flow on the same inputs (sideCalls), so the mix of outcomes stays what the scripts say.
type scripted struct{}

func pass() sdk.Verdict { return sdk.Verdict{Outcome: sdk.Pass, Score: 0.9} }

func (scripted) CheckSelfie(context.Context, sdk.SelfieRequest) (sdk.Verdict, error) {
	return pass(), nil
}
func (scripted) MatchFaces(context.Context, sdk.MatchRequest) (sdk.Verdict, error) {
	v := pass()
	// A calibrated match, as the face plugin gives: without an estimate the flow's face policy
	// would send every match to review.
	v.Match = &sdk.MatchScore{Distance: 0.3, EstimatedFMR: 0.01, Calibration: "soak"}
	return v, nil
}
func (scripted) CheckSignature(context.Context, sdk.SignatureRequest) (sdk.Verdict, error) {
	return pass(), nil
}
func (scripted) CheckLiveness(context.Context, sdk.LivenessRequest) (sdk.Verdict, error) {
	return pass(), nil
}

// proxy stands between the outbox and the back office: it can play the back office being down
// and counts the intake's answers.
type proxy struct {
	down    atomic.Bool
	mu      sync.Mutex
	acks    map[string]int // Idempotency-Key → 2xx answers
	refused int
}

func (p *proxy) handler(target *url.URL) http.Handler {
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(r *http.Response) error {
		if r.Request.Method == http.MethodPost && r.Request.URL.Path == "/v1/dossiers" && r.StatusCode/100 == 2 {
			p.mu.Lock()
			p.acks[r.Request.Header.Get("Idempotency-Key")]++
			p.mu.Unlock()
		}
		return nil
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.down.Load() {
			p.mu.Lock()
			p.refused++
			p.mu.Unlock()
			http.Error(w, `{"error":"down for the soak"}`, http.StatusServiceUnavailable)
			return
		}
		rp.ServeHTTP(w, r)
	})
}

// kit is the assembled back end of one run.
type kit struct {
	o     options
	vc    *clock.Virtual
	st    *store.Store
	svc   *kiosk.Services
	host  *detect.Host
	m     *flow.Machine
	px    *proxy
	dir   string
	close []func()
	res   *result
	ppl   []applicant
	inp   inputs
}

func (k *kit) machine() (*flow.Machine, error) {
	return flow.New(flow.Deps{Store: k.st, OTP: k.svc.OTP, Sejam: k.svc.Sejam, Registry: k.svc.Registry, Eligibility: k.svc.Eligibility,
		Detectors: scripted{}, Dossier: k.svc.Outbox, Locks: k.st, Clock: k.vc},
		flow.Config{Mode: "kiosk", IdleTimeout: 3 * time.Minute, CodeAttempts: 3, PersonLockFor: time.Hour})
}

// run drives o.Sessions applicants through the real flow, store, services and back office over
// o.Days simulated days and checks the rules (result.Problems).
func run(ctx context.Context, o options) (*result, error) {
	began := time.Now()
	res := &result{Outcomes: map[string]int{}, PluginCall: map[string]map[string]int{}}
	k := &kit{o: o, res: res, vc: clock.NewVirtual(time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC))}
	defer func() {
		for i := len(k.close) - 1; i >= 0; i-- {
			k.close[i]()
		}
	}()
	if err := k.open(ctx); err != nil {
		return nil, err
	}
	if err := k.drive(ctx); err != nil {
		return res, err
	}
	if err := k.finish(ctx); err != nil {
		return res, err
	}
	res.Elapsed = time.Since(began)
	return res, nil
}

func (k *kit) open(ctx context.Context) error {
	o := k.o
	k.dir = o.Dir
	if k.dir == "" {
		d, err := os.MkdirTemp("", "ehraz-soak-")
		if err != nil {
			return err
		}
		k.dir = d
		k.close = append(k.close, func() { os.RemoveAll(d) })
	}
	ppl, err := applicants(o.Sessions)
	if err != nil {
		return err
	}
	k.ppl = ppl
	seed := filepath.Join(k.dir, "soak-identities.json")
	if err := writeSeed(seed, ppl); err != nil {
		return err
	}
	keys := filepath.Join(k.dir, "keys")
	transport := filepath.Join(keys, "transport.key")
	if _, err := secrets.LoadOrCreateKey(transport); err != nil {
		return err
	}

	// The back office (reference intake) on loopback, behind the switchable proxy.
	oc := office.Defaults()
	oc.Addr, oc.DataDir, oc.KeysDir, oc.GeoIP, oc.LoopbackOnly, oc.MediaKeyFile = "127.0.0.1:0", filepath.Join(k.dir, "office"), filepath.Join(k.dir, "office", "keys"), "", true, transport
	bo, err := office.Start(ctx, oc, office.Deps{})
	if err != nil {
		return fmt.Errorf("back office: %w", err)
	}
	k.close = append(k.close, func() { bo.Close() })
	target, err := url.Parse(bo.URL)
	if err != nil {
		return err
	}
	k.px = &proxy{acks: map[string]int{}}
	ps := httptest.NewServer(k.px.handler(target))
	k.close = append(k.close, ps.Close)
	tokenFile := filepath.Join(keys, "intake.token")
	if err := os.WriteFile(tokenFile, []byte(bo.Token), 0o600); err != nil {
		return err
	}

	cfg := config.Default()
	cfg.DataDir = k.dir
	cfg.Services = config.DemoServices()
	cfg.Services.Simulator.Addr = "127.0.0.1:0"
	cfg.Services.Simulator.Seed = seed
	// The registry's reference photo: a small drawn picture (the flow's detectors are scripted);
	// the demo's 1.3 MB photo per session would make the media folder the soak's whole story.
	photos := filepath.Join(k.dir, "photos")
	if err := os.MkdirAll(photos, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(photos, "bona.jpg"), drawn(160, 200, 3).Data, 0o600); err != nil {
		return err
	}
	cfg.Services.Simulator.PhotoDir = photos
	cfg.Services.Intake.Embedded = false
	cfg.Services.Intake.URL, cfg.Services.Intake.TokenFile, cfg.Services.Intake.TransportKeyFile = ps.URL, tokenFile, transport
	cfg.Services.KeysDir = keys

	so := kiosk.StoreOptions(cfg)
	so.Now = k.vc.Now
	st, err := store.Open(ctx, so)
	if err != nil {
		return err
	}
	k.st = st
	k.close = append(k.close, func() { st.Close() })
	svc, err := kiosk.StartServices(ctx, cfg.Services, kiosk.ServiceDeps{DB: st.DB(), Source: kiosk.DossierSource(st),
		KioskID: "soak-kiosk", Mode: "kiosk", DataDir: k.dir, Shared: o.Shared})
	if err != nil {
		return fmt.Errorf("services: %w", err)
	}
	k.svc = svc
	k.close = append(k.close, func() { svc.Close() })
	if c, ok := svc.OTP.(*otp.Service); ok {
		c.UseClock(k.vc)
	} else {
		return errors.New("the OTP service is not services/otp: cannot put it on the simulated clock")
	}
	if o.Plugins != "" {
		h, err := detect.Open(ctx, detect.Config{Dir: o.Plugins})
		if h == nil {
			return fmt.Errorf("plugins: %w", err)
		}
		if err != nil {
			fmt.Fprintf(o.Out, "soak: some plugins did not start: %v\n", err)
		}
		k.host = h
		k.close = append(k.close, func() { h.Close() })
	}
	k.inp = newInputs(o.Shared)
	m, err := k.machine()
	if err != nil {
		return err
	}
	k.m = m
	return nil
}

func (k *kit) act(ctx context.Context, a flow.Answer) error {
	k.vc.Advance(10 * time.Second)
	_, err := k.m.Submit(ctx, a)
	return err
}

// steps are the answers of a complete session, in order, for applicant p.
func (k *kit) steps(p applicant) []func(context.Context) error {
	code := func(pp flow.OTPPurpose) string {
		s := k.m.Snapshot()
		if pp == flow.OTPSejam {
			return s.SejamOTP.DemoCode
		}
		return s.MobileOTP.DemoCode
	}
	a := func(f func() flow.Answer) func(context.Context) error {
		return func(ctx context.Context) error { return k.act(ctx, f()) }
	}
	return []func(context.Context) error{
		a(func() flow.Answer { return flow.Begin{} }),
		a(func() flow.Answer { return flow.MobileNumber{Raw: p.Mobile} }),
		a(func() flow.Answer { return flow.MobileCode{Raw: code(flow.OTPMobile)} }),
		a(func() flow.Answer { return flow.Identity{NationalCode: p.NationalCode, Tracking: p.Tracking} }),
		a(func() flow.Answer { return flow.SejamCode{Raw: code(flow.OTPSejam)} }),
		a(func() flow.Answer { return flow.Card{Serial: p.Serial} }),
		a(func() flow.Answer { return flow.Selfie{Image: k.inp.selfie} }),
		a(func() flow.Answer { return flow.Signature{Image: k.inp.signature} }),
		a(func() flow.Answer { return flow.Video{Frames: k.inp.frames} }),
		a(func() flow.Answer { return flow.ConfirmReview{} }),
		a(func() flow.Answer { return flow.AcceptCommitments{} }),
	}
}

// resendIfGone asks for a new code when a restarted flow no longer holds the demo code.
func (k *kit) resendIfGone(ctx context.Context) error {
	s := k.m.Snapshot()
	switch {
	case s.Step == flow.StepMobileOTP && s.MobileOTP.DemoCode == "":
		k.vc.Advance(time.Minute) // the cooldown
		_, err := k.m.Resend(ctx, flow.OTPMobile)
		return err
	case s.Step == flow.StepSejamOTP && s.SejamOTP.DemoCode == "":
		k.vc.Advance(time.Minute)
		_, err := k.m.Resend(ctx, flow.OTPSejam)
		return err
	}
	return nil
}

func (k *kit) session(ctx context.Context, i int) error {
	p := k.ppl[i]
	sc := scriptFor(i)
	if _, err := k.m.Start(ctx); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	steps := k.steps(p)
	stopAt := len(steps)
	switch sc {
	case abandon, idle:
		stopAt = 1 + (i/20)%(len(steps)-1) // somewhere from the mobile number to the commitments
	case lockCodes:
		stopAt = 2
	}
	for j := 0; j < stopAt; j++ {
		// Not at the SEJAM code: its simulator keeps the resend cooldown in real time, which a
		// simulated minute cannot wait out.
		if sc == killResume && j == []int{2, 5, 6, 7, 8, 9}[(i/20)%6] {
			// The kiosk dies: the flow object is dropped with the session open, a new one resumes.
			m, err := k.machine()
			if err != nil {
				return err
			}
			k.vc.Advance(30 * time.Second)
			k.m = m
			if _, ok, err := m.Resume(ctx); err != nil || !ok {
				return fmt.Errorf("resume at step %d: ok=%v %w", j, ok, err)
			}
			if err := k.resendIfGone(ctx); err != nil {
				return fmt.Errorf("code after resume: %w", err)
			}
		}
		if err := steps[j](ctx); err != nil {
			return fmt.Errorf("%s step %d (%s): %w", scriptNames[sc], j, k.m.Snapshot().Step, err)
		}
	}
	switch sc {
	case lockCodes:
		for range 3 {
			k.act(ctx, flow.MobileCode{Raw: "000000"})
		}
		if s := k.m.Snapshot().Step; s != flow.StepLocked {
			return fmt.Errorf("wrong codes left the session at %s", s)
		}
	case idle:
		k.vc.Advance(4 * time.Minute)
		if _, wiped, err := k.m.ExpireIfIdle(ctx); err != nil || !wiped {
			return fmt.Errorf("idle session not expired: %v %w", wiped, err)
		}
	case complete, killResume:
		if s := k.m.Snapshot().Step; s != flow.StepSubmitted {
			return fmt.Errorf("finished at %s", s)
		}
		k.res.Submitted++
	}
	k.res.Outcomes[scriptNames[sc]]++
	if k.host != nil && k.o.PluginEvery > 0 && i%k.o.PluginEvery == 0 {
		k.sideCalls(ctx)
	}
	if k.host != nil && k.o.KillPluginEvery > 0 && i > 0 && i%k.o.KillPluginEvery == 0 {
		k.killPlugin(i / k.o.KillPluginEvery)
	}
	return nil
}

// sideCalls runs one session's captures through the real plugins.
func (k *kit) sideCalls(ctx context.Context) {
	note := func(method string, v sdk.Verdict, err error) {
		out := v.Outcome.Effective().String()
		if len(v.Reasons) > 0 {
			out += " " + v.Reasons[0]
		}
		if err != nil {
			out = "error"
		}
		if k.res.PluginCall[method] == nil {
			k.res.PluginCall[method] = map[string]int{}
		}
		k.res.PluginCall[method][out]++
	}
	v, err := k.host.CheckSelfie(ctx, sdk.SelfieRequest{Image: k.inp.face, Guide: flow.Guide(flow.StepSelfie)})
	note("CheckSelfie", v, err)
	v, err = k.host.MatchFaces(ctx, sdk.MatchRequest{Probe: k.inp.face, Reference: k.inp.face})
	note("MatchFaces", v, err)
	v, err = k.host.CheckSignature(ctx, sdk.SignatureRequest{Image: k.inp.signature, Guide: flow.Guide(flow.StepSignature)})
	note("CheckSignature", v, err)
	v, err = k.host.CheckLiveness(ctx, sdk.LivenessRequest{Frames: k.inp.clip, Challenge: sdk.Challenge{Numbers: []int{2, 4, 1}}, Guide: flow.Guide(flow.StepVideo)})
	note("CheckLiveness", v, err)
}

// killPlugin SIGKILLs the n-th plugin process (round robin); the host restarts it.
func (k *kit) killPlugin(n int) {
	hs := k.host.Health()
	if len(hs) == 0 {
		return
	}
	h := hs[n%len(hs)]
	if h.PID > 0 && syscall.Kill(h.PID, syscall.SIGKILL) == nil {
		k.res.Killed++
	}
}

func (k *kit) drive(ctx context.Context) error {
	o := k.o
	start := k.vc.Now()
	span := time.Duration(o.Days) * 24 * time.Hour
	every := span / time.Duration(o.Sessions)
	nextPurge := start.Add(time.Hour)
	nextDay := 1
	downFrom := start.Add(time.Duration(o.Days/2)*24*time.Hour + 10*time.Hour)
	downTo := downFrom.Add(time.Duration(o.DownHours) * time.Hour)
	rotateAt := map[int]bool{}
	for r := 1; r <= o.Rotations; r++ {
		rotateAt[o.Sessions*r/(o.Rotations+1)] = true
	}
	k.measure(ctx, 0, 0) // the baseline, before any session
	for i := 0; i < o.Sessions; i++ {
		due := start.Add(time.Duration(i) * every)
		if d := due.Sub(k.vc.Now()); d > 0 {
			k.vc.Advance(d)
		}
		now := k.vc.Now()
		k.px.down.Store(o.DownHours > 0 && !now.Before(downFrom) && now.Before(downTo))
		for !now.Before(nextPurge) { // the kiosk's hourly retention purge
			rep, err := k.st.Purge(ctx, nextPurge, o.RetainFinished, o.RetainAbandoned, false)
			if err != nil {
				return fmt.Errorf("purge: %w", err)
			}
			k.res.Purged += len(rep.Sessions)
			nextPurge = nextPurge.Add(time.Hour)
		}
		for nextDay <= o.Days && !now.Before(start.Add(time.Duration(nextDay)*24*time.Hour)) {
			k.measure(ctx, nextDay, i)
			nextDay++
		}
		if rotateAt[i] {
			if _, err := k.st.RotateKeyFile(ctx, false); err != nil {
				return fmt.Errorf("key rotation: %w", err)
			}
			k.res.Rotations++
		}
		if err := k.session(ctx, i); err != nil {
			return fmt.Errorf("session %d: %w", i, err)
		}
		k.vc.Forget(time.Hour) // the clock's memory of old readings stays bounded
	}
	k.px.down.Store(false)
	end := start.Add(span)
	if d := end.Sub(k.vc.Now()); d > 0 {
		k.vc.Advance(d)
	}
	rep, err := k.st.Purge(ctx, k.vc.Now(), o.RetainFinished, o.RetainAbandoned, false)
	if err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	k.res.Purged += len(rep.Sessions)
	for ; nextDay <= o.Days; nextDay++ {
		k.measure(ctx, nextDay, o.Sessions)
	}
	return nil
}

func (k *kit) measure(ctx context.Context, d, sessions int) {
	db := k.st.DB()
	f := day{Day: d, Sessions: sessions, RSS: procRSS(os.Getpid()), Heap: heapInUse(), Goroutines: runtime.NumGoroutine(), Files: openFiles(),
		DB: fileSize(filepath.Join(k.dir, "ehraz.db")) + fileSize(filepath.Join(k.dir, "ehraz.db-wal")), Media: dirSize(filepath.Join(k.dir, "media")),
		PluginRSS: map[string]int64{}}
	db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&f.SessionRows)
	db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit`).Scan(&f.AuditRows)
	db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(state = 'delivered'), 0) FROM outbox`).Scan(&f.OutboxRows, &f.Delivered)
	db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT session_id) FROM media`).Scan(&f.LiveWithMedia)
	if es, err := os.ReadDir(filepath.Join(k.dir, "media")); err == nil {
		for _, e := range es {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				f.MediaSessions++
			}
		}
	}
	if k.host != nil {
		for _, h := range k.host.Health() {
			f.PluginRSS[h.Name] = procRSS(h.PID)
			f.PluginRestarts += h.Restarts
		}
	}
	k.res.Days = append(k.res.Days, f)
}

// finish lets the outbox deliver everything, then checks every rule.
func (k *kit) finish(ctx context.Context) error {
	res, o := k.res, k.o
	deadline := time.Now().Add(90 * time.Second)
	for {
		if _, err := k.svc.Outbox.Flush(ctx); err != nil {
			return err
		}
		var pending int
		k.st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE state <> 'delivered'`).Scan(&pending)
		if pending == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	problem := func(format string, args ...any) { res.Problems = append(res.Problems, fmt.Sprintf(format, args...)) }

	// Dossiers: one per submitted session, each delivered once with its own receipt.
	var rows, delivered, receipts int
	k.st.DB().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(state = 'delivered'), 0), COUNT(DISTINCT NULLIF(receipt, '')) FROM outbox`).Scan(&rows, &delivered, &receipts)
	if rows != res.Submitted || delivered != res.Submitted || receipts != res.Submitted {
		problem("dossiers: %d submitted, %d in the outbox, %d delivered, %d distinct receipts", res.Submitted, rows, delivered, receipts)
	}
	k.px.mu.Lock()
	for key, n := range k.px.acks {
		res.AckPosts += n
		if n > 1 {
			problem("dossier %s acknowledged %d times", key, n)
		}
	}
	res.Refused = k.px.refused
	k.px.mu.Unlock()
	if res.AckPosts != res.Submitted {
		problem("the intake acknowledged %d posts for %d submitted sessions", res.AckPosts, res.Submitted)
	}
	if missing, err := kiosk.Unqueued(ctx, k.st, k.svc.Outbox); err != nil || len(missing) > 0 {
		problem("submitted sessions missing from the outbox: %d (%v)", len(missing), err)
	}
	if o.DownHours > 0 && res.Refused == 0 && res.Submitted > 0 {
		problem("the back office was never found down (no post in the %d h window)", o.DownHours)
	}

	// Retention: nothing past its period, no media folder without a live session.
	now := k.vc.Now()
	var stale int
	k.st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE ((finished = 1 AND last_active < ?) OR (finished = 0 AND last_active < ?))
		AND id <> COALESCE((SELECT id FROM sessions WHERE finished = 0 AND expired = 0 ORDER BY started_at DESC, rowid DESC LIMIT 1), '')`,
		now.Add(-o.RetainFinished).UnixMilli(), now.Add(-o.RetainAbandoned).UnixMilli()).Scan(&stale)
	if stale > 0 {
		problem("retention: %d sessions kept past their period", stale)
	}
	last := res.Days[len(res.Days)-1]
	if last.MediaSessions > last.LiveWithMedia {
		problem("retention: %d media folders for %d sessions holding media", last.MediaSessions, last.LiveWithMedia)
	}
	var unwiped int
	k.st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE expired = 1 AND wiped = 0`).Scan(&unwiped)
	if unwiped > 0 {
		problem("%d expired sessions still hold personal data", unwiped)
	}

	// The audit chain and the database.
	if _, err := k.st.VerifyAudit(ctx); err != nil {
		problem("audit verify: %v", err)
	}
	if err := k.st.IntegrityCheck(ctx); err != nil {
		problem("integrity: %v", err)
	}

	res.Problems = append(res.Problems, k.growthRules()...)
	return nil
}

// growthRules checks the daily figures from the day the retention periods have come round once
// (the "settled" day) to the last: what a purge leaves must not keep growing.
func (k *kit) growthRules() []string {
	res, o := k.res, k.o
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	last := res.Days[len(res.Days)-1]
	settled := int((o.RetainFinished+24*time.Hour-1)/(24*time.Hour)) + 1
	if settled < len(res.Days)-1 {
		base, end := res.Days[settled], last
		if end.Goroutines > base.Goroutines+20 {
			add("goroutines grew from %d (day %d) to %d (rule: at most +20)", base.Goroutines, base.Day, end.Goroutines)
		}
		if end.Files > base.Files+10 {
			add("open files grew from %d (day %d) to %d (rule: at most +10)", base.Files, base.Day, end.Files)
		}
		if end.Heap > 2*base.Heap+16<<20 {
			add("Go heap grew from %s MiB (day %d) to %s MiB (rule: at most 2x + 16 MiB)", mib(base.Heap), base.Day, mib(end.Heap))
		}
		if end.RSS > 2*base.RSS+64<<20 {
			add("RSS grew from %s MiB (day %d) to %s MiB (rule: at most 2x + 64 MiB)", mib(base.RSS), base.Day, mib(end.RSS))
		}
		if end.Media > 2*base.Media+4<<20 {
			add("media folder grew from %s MiB (day %d) to %s MiB (rule: at most 2x + 4 MiB once retention applies)", mib(base.Media), base.Day, mib(end.Media))
		}
		// What stays after a purge is metadata: audit rows and delivered outbox rows. The file
		// may grow by those (allowing 1 KiB each) plus 2 MiB of page slack.
		allow := int64(end.AuditRows-base.AuditRows+end.OutboxRows-base.OutboxRows)*1024 + 2<<20
		if grow := end.DB - base.DB; grow > allow {
			add("database grew %s MiB from day %d (rule: at most %s MiB for the audit and outbox rows added)", mib(grow), base.Day, mib(allow))
		}
		if end.SessionRows > 2*base.SessionRows+50 {
			add("session rows grew from %d (day %d) to %d (rule: at most 2x + 50)", base.SessionRows, base.Day, end.SessionRows)
		}
		for name, rss := range end.PluginRSS {
			if b := base.PluginRSS[name]; b > 0 && rss > 2*b+64<<20 {
				add("plugin %s RSS grew from %s MiB to %s MiB (rule: at most 2x + 64 MiB)", name, mib(b), mib(rss))
			}
		}
	} else {
		add("could not verify growth: the run is too short for the retention periods to come round (%d days, settled from day %d)", o.Days, settled)
	}
	return out
}

// report prints the figures.
func (res *result) report(w io.Writer, o options) {
	fmt.Fprintf(w, "soak: %d sessions over %d simulated days in %s (retention: finished %v, abandoned %v; detectors: scripted in the flow",
		o.Sessions, o.Days, res.Elapsed.Round(time.Second), o.RetainFinished, o.RetainAbandoned)
	if o.Plugins != "" {
		fmt.Fprintf(w, ", real plugins on every %d. session's captures, one plugin SIGKILLed every %d sessions", o.PluginEvery, o.KillPluginEvery)
	}
	fmt.Fprintln(w, ")")
	names := make([]string, 0, len(res.Outcomes))
	for n := range res.Outcomes {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprint(w, "outcomes:")
	for _, n := range names {
		fmt.Fprintf(w, " %s %d", n, res.Outcomes[n])
	}
	fmt.Fprintf(w, "; dossiers submitted %d, acknowledged posts %d, posts refused while the back office was down %d\n", res.Submitted, res.AckPosts, res.Refused)
	fmt.Fprintf(w, "purged sessions %d, key rotations %d, plugins killed %d\n", res.Purged, res.Rotations, res.Killed)
	fmt.Fprintln(w, "day sessions  RSS-MiB heap-MiB goroutines files  DB-MiB media-MiB session-rows audit-rows outbox(delivered) media-dirs  plugins-RSS-MiB (restarts)")
	for _, d := range res.Days {
		var pl []string
		for _, n := range []string{"face", "liveness", "signature"} {
			if v, ok := d.PluginRSS[n]; ok {
				pl = append(pl, n+"="+mib(v))
			}
		}
		fmt.Fprintf(w, "%3d %8d %8s %8s %10d %5d %7s %9s %12d %10d %8d(%d) %10d  %s (%d)\n", d.Day, d.Sessions, mib(d.RSS), mib(d.Heap), d.Goroutines, d.Files,
			mib(d.DB), mib(d.Media), d.SessionRows, d.AuditRows, d.OutboxRows, d.Delivered, d.MediaSessions, strings.Join(pl, " "), d.PluginRestarts)
	}
	if len(res.PluginCall) > 0 {
		ms := make([]string, 0, len(res.PluginCall))
		for m := range res.PluginCall {
			ms = append(ms, m)
		}
		sort.Strings(ms)
		fmt.Fprint(w, "plugin calls:")
		for _, m := range ms {
			fmt.Fprintf(w, " %s %v", m, res.PluginCall[m])
		}
		fmt.Fprintln(w)
	}
	if len(res.Problems) == 0 {
		fmt.Fprintln(w, "soak: PASS (no leak, no lost or repeated dossier, nothing kept past retention, audit chain intact)")
		return
	}
	for _, p := range res.Problems {
		fmt.Fprintln(w, "soak: FAIL:", p)
	}
}

// inputs are the captures every session submits.
type inputs struct {
	selfie, signature sdk.Image
	frames            []sdk.Frame
	face              sdk.Image   // for the plugins: the demo's face photo when the shared folder has it
	clip              []sdk.Frame // for the plugins: 5 s at 8 fps (the kiosk's video) of that face
	camera            sdk.Image   // that face at the kiosk camera's 640×480
	short             []sdk.Frame // 2 s at 8 fps (the liveness plugin's shortest video) of it
}

// newInputs uses the shared folder's demo face photo for the selfie when it is there (so the face
// plugin has a face to find), and drawn images otherwise.
func newInputs(shared string) inputs {
	in := inputs{selfie: drawn(320, 240, 1), signature: drawn(480, 270, 2)}
	in.face = in.selfie
	small := in.selfie
	in.camera = drawn(640, 480, 4)
	if b, err := os.ReadFile(filepath.Join(shared, "testdata", "faces", "bona.jpg")); err == nil {
		if img, _, err := image.Decode(bytes.NewReader(b)); err == nil {
			in.face = sdk.Image{Data: b, Format: "jpeg", Width: img.Bounds().Dx(), Height: img.Bounds().Dy()}
			small = scaled(img, 320, 240)
			in.camera = scaled(img, 640, 480)
		}
	}
	for j := 0; j < 8; j++ { // the flow's video: small, it is stored for every session
		in.frames = append(in.frames, sdk.Frame{Image: drawn(240, 180, uint8(10+j)), TimestampMS: int64(j) * 250})
	}
	for j := 0; j < 40; j++ {
		in.clip = append(in.clip, sdk.Frame{Image: small, TimestampMS: int64(j) * 125})
	}
	in.short = in.clip[:17]
	return in
}

// scaled is img shrunk to w×h (nearest neighbour) as a JPEG.
func scaled(img image.Image, w, h int) sdk.Image {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	b := img.Bounds()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.Set(x, y, img.At(b.Min.X+x*b.Dx()/w, b.Min.Y+y*b.Dy()/h))
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, out, &jpeg.Options{Quality: 85})
	return sdk.Image{Data: buf.Bytes(), Format: "jpeg", Width: w, Height: h}
}

func drawn(w, h int, seed uint8) sdk.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x) + seed, uint8(y) * seed, 180, 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	return sdk.Image{Data: b.Bytes(), Format: "jpeg", Width: w, Height: h}
}
