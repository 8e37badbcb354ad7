// Package conformance is the detector plugin conformance kit: Check starts a plugin binary (or
// takes an in-process implementation), exercises every method it declares with good, corrupt,
// empty, huge and wrong-size images, cancelled contexts and concurrent calls, and reports each
// rule with latency figures. Vendors call Run from their own tests; `ehrazctl plugin check PATH`
// prints the same report.
package conformance

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/transport"
)

// Detector is everything a plugin may implement; transport.Remote satisfies it.
type Detector interface {
	sdk.Plugin
	sdk.FrameAnalyzer
	sdk.FaceDetector
	sdk.SignatureDetector
	sdk.LivenessDetector
}

// Result is one rule's outcome.
type Result struct {
	Rule   string
	OK     bool
	Detail string
}

// Report is the whole check.
type Report struct {
	Info     sdk.Info
	Results  []Result
	Latency  map[string][2]time.Duration // method → p50, p95 of the good-input calls
	Failures int
	// Keys are the locale keys the plugin emitted during the suite (verdict reasons, rule
	// reasons, hint keys), sorted: each needs fa and en text in the kiosk's catalog or in the
	// plugin's own locale files (`ehrazctl plugin check` checks).
	Keys []string
}

// keySet collects the locale keys a plugin emits; safe for the suite's concurrent calls.
type keySet struct {
	mu   sync.Mutex
	keys map[string]bool
}

func (k *keySet) verdict(v sdk.Verdict) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, r := range v.Reasons {
		k.keys[r] = true
	}
	for _, r := range v.Rules {
		if r.Reason != "" {
			k.keys[r.Reason] = true
		}
	}
}

func (k *keySet) frame(a sdk.FrameAnalysis) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, h := range a.Hints {
		k.keys[h.Key] = true
	}
}

func (k *keySet) sorted() []string {
	out := make([]string, 0, len(k.keys))
	for key := range k.keys {
		out = append(out, key)
	}
	sort.Strings(out)
	return out
}

// Start launches the plugin binary at path over go-plugin (AutoMTLS, raised message size) and
// returns a client plus a stop function. Its stderr logs go to logOut (nil: discarded).
func Start(path string, logOut io.Writer) (*transport.Remote, func(), error) {
	if logOut == nil {
		logOut = io.Discard
	}
	c := plugin.NewClient(transport.ClientConfig(exec.Command(path),
		hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: logOut, Level: hclog.Info})))
	rpc, err := c.Client()
	if err != nil {
		c.Kill()
		return nil, nil, fmt.Errorf("start plugin %s: %w", path, err)
	}
	raw, err := rpc.Dispense(transport.PluginName)
	if err != nil {
		c.Kill()
		return nil, nil, fmt.Errorf("dispense plugin %s: %w", path, err)
	}
	return raw.(*transport.Remote), c.Kill, nil
}

// Run checks the plugin binary at path and fails t for every broken rule.
func Run(t *testing.T, path string) {
	t.Helper()
	r, stop, err := Start(path, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	RunImpl(t, r)
}

// RunImpl checks an in-process implementation (methods it lacks are filled in the way Serve
// fills them) and fails t for every broken rule.
func RunImpl(t *testing.T, p sdk.Plugin) {
	t.Helper()
	rep := Check(context.Background(), Wrap(p))
	for _, r := range rep.Results {
		if !r.OK {
			t.Errorf("conformance rule %s: %s", r.Rule, r.Detail)
		}
	}
}

// Check exercises d and returns the report.
func Check(ctx context.Context, d Detector) Report {
	rep := Report{Latency: map[string][2]time.Duration{}}
	seen := &keySet{keys: map[string]bool{}}
	add := func(rule string, ok bool, format string, a ...any) {
		rep.Results = append(rep.Results, Result{Rule: rule, OK: ok, Detail: fmt.Sprintf(format, a...)})
		if !ok {
			rep.Failures++
		}
	}
	info, err := d.Info(ctx)
	add("info.answers", err == nil, "Info: %v", err)
	rep.Info = info
	add("info.protocol", info.ProtocolVersion == sdk.ProtocolVersion, "protocol v%d, host v%d", info.ProtocolVersion, sdk.ProtocolVersion)
	add("info.named", info.Name != "" && info.Version != "" && len(info.Kinds) > 0, "name %q version %q kinds %v", info.Name, info.Version, info.Kinds)

	// The fixtures are drawn and encoded once per suite, not per call: the hostile ones include
	// a 20 MB payload.
	frame := SyntheticJPEG(640, 480)
	bad := BadImages()
	good := frame
	if faces := realFaces(); len(faces) > 0 {
		good = faces[0]
	}
	sig := SyntheticPNG(800, 400)
	type method struct {
		name string
		call func(context.Context, sdk.Image) (sdk.Verdict, error)
		good sdk.Image
	}
	methods := []method{
		{"CheckSelfie", func(c context.Context, i sdk.Image) (sdk.Verdict, error) {
			return d.CheckSelfie(c, sdk.SelfieRequest{Image: i, Guide: sdk.Rect{X: .25, Y: .1, W: .5, H: .8}})
		}, good},
		{"MatchFaces", func(c context.Context, i sdk.Image) (sdk.Verdict, error) {
			return d.MatchFaces(c, sdk.MatchRequest{Probe: i, Reference: good})
		}, good},
		{"CheckSignature", func(c context.Context, i sdk.Image) (sdk.Verdict, error) {
			return d.CheckSignature(c, sdk.SignatureRequest{Image: i, Guide: sdk.Rect{X: .1, Y: .1, W: .8, H: .8}})
		}, sig},
		{"CheckLiveness", func(c context.Context, i sdk.Image) (sdk.Verdict, error) {
			fr := make([]sdk.Frame, 30)
			for n := range fr {
				fr[n] = sdk.Frame{Image: i, TimestampMS: int64(n * 33)}
			}
			return d.CheckLiveness(c, sdk.LivenessRequest{Frames: fr, Challenge: sdk.Challenge{Numbers: []int{3, 1, 4}}})
		}, good},
	}
	for i := range methods {
		call := methods[i].call
		methods[i].call = func(c context.Context, img sdk.Image) (sdk.Verdict, error) {
			v, err := call(c, img)
			seen.verdict(v)
			return v, err
		}
	}
	counts := &countWatch{}
	analyze := func(c context.Context, r sdk.FrameRequest) (sdk.FrameAnalysis, error) {
		a, err := d.AnalyzeFrame(c, r)
		seen.frame(a)
		counts.see(a)
		return a, err
	}
	for _, m := range methods {
		declared := slices.Contains(info.Capabilities, m.name)
		v, err := m.call(ctx, m.good)
		if !declared {
			add(m.name+".undeclared_is_cnv", err == nil && v.Outcome == sdk.CouldNotVerify,
				"undeclared method answered %v %v; want could-not-verify", v.Outcome, err)
			continue
		}
		add(m.name+".good_input", err == nil && v.Outcome.Effective() == v.Outcome && (v.Outcome == sdk.Pass || len(v.Reasons) > 0),
			"outcome %v reasons %v err %v", v.Outcome, v.Reasons, err)
		_, _ = m.call(ctx, BlankLike(m.good)) // not judged: for the keys of "nothing found"
		for _, b := range bad {
			v, err := m.call(ctx, b.Image)
			ok := err == nil && (v.Outcome == sdk.Fail || v.Outcome == sdk.CouldNotVerify) && len(v.Reasons) > 0
			add(m.name+".bad_input."+b.Name, ok, "outcome %v reasons %v err %v; want fail or could-not-verify with a reason", v.Outcome, v.Reasons, err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		v, err = m.call(cctx, m.good)
		add(m.name+".cancelled_not_pass", v.Outcome != sdk.Pass, "cancelled call answered %v (err %v)", v.Outcome, err)
		// Concurrency: 8 parallel calls must all answer the same outcome as a lone call.
		var wg sync.WaitGroup
		outs := make([]sdk.Outcome, 8)
		errs := make([]error, 8)
		for n := range outs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := m.call(ctx, m.good)
				outs[n], errs[n] = v.Outcome, err
			}()
		}
		wg.Wait()
		want, _ := m.call(ctx, m.good)
		same := true
		for n := range outs {
			same = same && errs[n] == nil && outs[n] == want.Outcome
		}
		add(m.name+".concurrent", same, "parallel outcomes %v errors %v", outs, errs)
		rep.Latency[m.name] = latency(20, func() { _, _ = m.call(ctx, m.good) })
	}
	if slices.Contains(info.Capabilities, "MatchFaces") {
		checkMatchEstimates(ctx, d, matchFaces(), add) // matchscore.go
	}
	// AnalyzeFrame: declared ⇒ answers good frames and never crashes on bad ones.
	if slices.Contains(info.Capabilities, "AnalyzeFrame") {
		_, err := analyze(ctx, sdk.FrameRequest{Image: frame, Purpose: sdk.PurposeSelfie})
		add("AnalyzeFrame.good_input", err == nil, "err %v", err)
		blank := BlankLike(frame)
		for _, p := range []sdk.Purpose{sdk.PurposeSelfie, sdk.PurposeSignature, sdk.PurposeVideo} {
			for _, img := range []sdk.Image{frame, blank} {
				_, _ = analyze(ctx, sdk.FrameRequest{Image: img, Purpose: p}) // for the keys it emits
			}
		}
		for _, b := range bad {
			a, err := analyze(ctx, sdk.FrameRequest{Image: b.Image, Purpose: sdk.PurposeSelfie})
			add("AnalyzeFrame.bad_input."+b.Name, err != nil || !a.Ready, "bad frame reported ready")
		}
		rep.Latency["AnalyzeFrame"] = latency(50, func() {
			_, _ = d.AnalyzeFrame(ctx, sdk.FrameRequest{Image: frame, Purpose: sdk.PurposeSelfie})
		})
		if slices.Contains(info.Kinds, sdk.KindLiveness) {
			checkFingerCount(ctx, wrapCounts{d, counts}, handPhotos(), add) // fingers.go
		}
		counts.mu.Lock()
		add("AnalyzeFrame.finger_count.range", len(counts.bad) == 0, "counts outside 0..%d: %v", sdk.MaxFingers, counts.bad)
		counts.mu.Unlock()
	} else {
		_, err := d.AnalyzeFrame(ctx, sdk.FrameRequest{Image: SyntheticJPEG(64, 48), Purpose: sdk.PurposeSelfie})
		add("AnalyzeFrame.undeclared_is_error", err != nil, "undeclared AnalyzeFrame answered without error")
	}
	// Still alive after everything.
	_, err = d.Info(ctx)
	add("info.alive_after_suite", err == nil, "Info after suite: %v", err)
	rep.Keys = seen.sorted()
	return rep
}

// raceSamples is how many timed calls latency makes under the race detector. Instrumented code
// runs many times slower, so its figures say nothing about the plugin, and the timed calls are
// made one after another on one goroutine, where the detector has nothing to find: a few keep the
// figures' code exercised, and a vendor's `go test -race` (and ours) does not spend minutes
// repeating them.
const raceSamples = 3

// latency times n calls of f (raceSamples under the race detector) and returns p50 and p95.
func latency(n int, f func()) [2]time.Duration {
	if raceDetector {
		n = min(n, raceSamples)
	}
	ds := make([]time.Duration, n)
	for i := range ds {
		t0 := time.Now()
		f()
		ds[i] = time.Since(t0)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return [2]time.Duration{ds[n/2], ds[(n*95)/100]}
}

// realFaces loads JPEGs from $SHARED/testdata/faces (or ../shared), when present.
func realFaces() []sdk.Image {
	dir := os.Getenv("SHARED")
	if dir == "" {
		dir = "../shared"
	}
	var out []sdk.Image
	for _, n := range []string{"bona.jpg"} {
		b, err := os.ReadFile(dir + "/testdata/faces/" + n)
		if err != nil {
			continue
		}
		if img, ok := decodeSize(b); ok {
			out = append(out, img)
		}
	}
	return out
}
