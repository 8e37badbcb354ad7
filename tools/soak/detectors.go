package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ehraz/ehraz/app/detect"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// call is one method call through the host; it answers "outcome first-reason".
type call struct {
	name string
	do   func(ctx context.Context) (string, error)
}

// pluginCalls are the methods each plugin is called with, in turn: every method a plugin offers
// (its checks and AnalyzeFrame for its purpose), on the kiosk camera's 640×480 pictures.
func pluginCalls(h *detect.Host, in inputs) map[string][]call {
	verdict := func(v sdk.Verdict, err error) (string, error) {
		out := v.Outcome.Effective().String()
		if len(v.Reasons) > 0 {
			out += " " + v.Reasons[0]
		}
		return out, err
	}
	frame := func(img sdk.Image, p sdk.Purpose, step flow.Step) call {
		return call{"AnalyzeFrame", func(ctx context.Context) (string, error) {
			a, err := h.AnalyzeFrame(ctx, sdk.FrameRequest{Image: img, Purpose: p, Guide: flow.Guide(step)})
			return fmt.Sprintf("%d hints", len(a.Hints)), err
		}}
	}
	return map[string][]call{
		"face": {
			{"CheckSelfie", func(ctx context.Context) (string, error) {
				return verdict(h.CheckSelfie(ctx, sdk.SelfieRequest{Image: in.camera, Guide: flow.Guide(flow.StepSelfie)}))
			}},
			{"MatchFaces", func(ctx context.Context) (string, error) {
				return verdict(h.MatchFaces(ctx, sdk.MatchRequest{Probe: in.camera, Reference: in.face}))
			}},
			frame(in.camera, sdk.PurposeSelfie, flow.StepSelfie),
		},
		"liveness": {
			{"CheckLiveness", func(ctx context.Context) (string, error) {
				return verdict(h.CheckLiveness(ctx, sdk.LivenessRequest{Frames: in.short, Challenge: sdk.Challenge{Numbers: []int{2, 4, 1}}, Guide: flow.Guide(flow.StepVideo)}))
			}},
			frame(in.camera, sdk.PurposeVideo, flow.StepVideo),
		},
		"signature": {
			{"CheckSignature", func(ctx context.Context) (string, error) {
				return verdict(h.CheckSignature(ctx, sdk.SignatureRequest{Image: in.signature, Guide: flow.Guide(flow.StepSignature)}))
			}},
			frame(in.signature, sdk.PurposeSignature, flow.StepSignature),
		},
	}
}

// detectorRSS calls each plugin n times through app/detect (the kiosk's host, real plugin
// processes over gRPC), cycling through its methods, the three plugins side by side, and prints
// each plugin process's RSS every `every` calls, the growth after warm-up and what the calls
// answered. It is a measurement, not a timed test: it reports false only when a plugin is
// missing, restarted or grew past the rule (RSS after the last call ≤ RSS after the first
// `every` calls + 32 MiB + 10 %; the first block is warm-up: models, caches, allocator arenas).
func detectorRSS(ctx context.Context, dir, shared string, n, every int, w io.Writer) (bool, error) {
	// Long call deadlines: on a loaded machine a slow call must not be taken for a hang and its
	// process restarted, which would cut the RSS series in two.
	h, err := detect.Open(ctx, detect.Config{Dir: dir, CallTimeout: 2 * time.Minute, LivenessTimeout: 5 * time.Minute})
	if h == nil {
		return false, fmt.Errorf("plugins in %s: %w", dir, err)
	}
	defer h.Close()
	if err != nil {
		fmt.Fprintf(w, "some plugins did not start: %v\n", err)
	}
	in := newInputs(shared)
	pids, restarts := map[string]int{}, map[string]int{}
	for _, hl := range h.Health() {
		pids[hl.Name], restarts[hl.Name] = hl.PID, hl.Restarts
	}
	calls := pluginCalls(h, in)
	names := make([]string, 0, len(calls))
	for name := range calls {
		if pids[name] > 0 {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	fmt.Fprintf(w, "detector RSS over %d calls of each plugin through app/detect (%s; camera %dx%d, reference %dx%d, signature %dx%d, video %d frames %dx%d; %s/%s, %d CPUs)\n",
		n, dir, in.camera.Width, in.camera.Height, in.face.Width, in.face.Height, in.signature.Width, in.signature.Height,
		len(in.short), in.short[0].Image.Width, in.short[0].Image.Height, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	type stats struct {
		rss     []int64 // after 0, every, 2·every … calls
		answers map[string]map[string]int
		spent   map[string]time.Duration
		count   map[string]int
		took    time.Duration
	}
	all := map[string]*stats{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, name := range names {
		st := &stats{answers: map[string]map[string]int{}, spent: map[string]time.Duration{}, count: map[string]int{}, rss: []int64{procRSS(pids[name])}}
		all[name] = st
		wg.Add(1)
		go func(name string, cs []call) {
			defer wg.Done()
			began := time.Now()
			for i := 1; i <= n && ctx.Err() == nil; i++ {
				c := cs[(i-1)%len(cs)]
				t0 := time.Now()
				out, err := c.do(ctx)
				d := time.Since(t0)
				if err != nil {
					out = "error: " + err.Error()
				}
				mu.Lock()
				if st.answers[c.name] == nil {
					st.answers[c.name] = map[string]int{}
				}
				st.answers[c.name][out]++
				st.spent[c.name] += d
				st.count[c.name]++
				if i%every == 0 || i == n {
					st.rss = append(st.rss, procRSS(pids[name]))
					// As it goes too, so a run stopped early still leaves its figures.
					fmt.Fprintf(w, "  %s: %d calls, RSS %s MiB, %s\n", name, i, mib(st.rss[len(st.rss)-1]), time.Since(began).Round(time.Second))
				}
				mu.Unlock()
			}
			st.took = time.Since(began)
		}(name, calls[name])
	}
	wg.Wait()
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	ok := len(names) > 0
	if !ok {
		fmt.Fprintln(w, "could not verify: no plugin running")
	}
	fmt.Fprintf(w, "%6s", "calls")
	for _, name := range names {
		fmt.Fprintf(w, " %12s", name+"-MiB")
	}
	fmt.Fprintln(w)
	for r := 0; r < len(all[names[0]].rss); r++ {
		fmt.Fprintf(w, "%6d", min(r*every, n))
		for _, name := range names {
			if rs := all[name].rss; r < len(rs) {
				fmt.Fprintf(w, " %12s", mib(rs[r]))
			}
		}
		fmt.Fprintln(w)
	}
	for _, hl := range h.Health() {
		if pids[hl.Name] > 0 && (hl.PID != pids[hl.Name] || hl.Restarts != restarts[hl.Name]) {
			fmt.Fprintf(w, "plugin %s restarted during the run (pid %d → %d): its figures are not one process's\n", hl.Name, pids[hl.Name], hl.PID)
			ok = false
		}
	}
	for _, name := range names {
		st := all[name]
		first, warm, last := st.rss[0], st.rss[min(1, len(st.rss)-1)], st.rss[len(st.rss)-1]
		grow, limit := last-warm, int64(32<<20)+warm/10
		verdict := "flat"
		if grow > limit {
			verdict, ok = "GROWS", false
		}
		fmt.Fprintf(w, "%s: %s MiB at start, %s MiB after %d calls, %s MiB after %d (%s): %+.1f MiB after warm-up (rule ≤ %s MiB): %s\n",
			name, mib(first), mib(warm), min(every, n), mib(last), n, st.took.Round(time.Second), float64(grow)/(1<<20), mib(limit), verdict)
		ms := make([]string, 0, len(st.answers))
		for m := range st.answers {
			ms = append(ms, m)
		}
		sort.Strings(ms)
		var parts []string
		for _, m := range ms {
			parts = append(parts, fmt.Sprintf("%s ×%d %v mean %s", m, st.count[m], st.answers[m], (st.spent[m]/time.Duration(st.count[m])).Round(time.Millisecond)))
		}
		fmt.Fprintf(w, "  %s\n", strings.Join(parts, "; "))
	}
	return ok, nil
}
