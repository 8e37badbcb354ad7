package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sort"
	"time"

	"github.com/ehraz/ehraz/app/detect"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// detectorRSS calls every method of every plugin n times through app/detect (the kiosk's host,
// real plugin processes over gRPC) with the soak's captures and prints each plugin process's RSS
// every `every` calls, the growth from the first report to the last, and what the calls answered.
// It is a measurement, not a timed test: it reports false only when a plugin is missing, died
// or grew more than the rule (RSS after the last call ≤ RSS after the first `every` calls +
// 32 MiB + 10 %): warm-up (model loading, caches) happens in the first block.
func detectorRSS(ctx context.Context, dir, shared string, n, every int, w io.Writer) (bool, error) {
	h, err := detect.Open(ctx, detect.Config{Dir: dir, LivenessTimeout: 2 * time.Minute})
	if h == nil {
		return false, fmt.Errorf("plugins in %s: %w", dir, err)
	}
	defer h.Close()
	if err != nil {
		fmt.Fprintf(w, "some plugins did not start: %v\n", err)
	}
	in := newInputs(shared)
	frame := sdk.FrameRequest{Image: in.face, Purpose: sdk.PurposeSelfie, Guide: flow.Guide(flow.StepSelfie)}
	type method struct {
		plugin, name string
		call         func() (string, error)
	}
	verdict := func(v sdk.Verdict, err error) (string, error) {
		out := v.Outcome.Effective().String()
		if len(v.Reasons) > 0 {
			out += " " + v.Reasons[0]
		}
		return out, err
	}
	methods := []method{
		{"face", "CheckSelfie", func() (string, error) {
			return verdict(h.CheckSelfie(ctx, sdk.SelfieRequest{Image: in.face, Guide: flow.Guide(flow.StepSelfie)}))
		}},
		{"face", "MatchFaces", func() (string, error) {
			return verdict(h.MatchFaces(ctx, sdk.MatchRequest{Probe: in.face, Reference: in.face}))
		}},
		{"signature", "CheckSignature", func() (string, error) {
			return verdict(h.CheckSignature(ctx, sdk.SignatureRequest{Image: in.signature, Guide: flow.Guide(flow.StepSignature)}))
		}},
		{"liveness", "CheckLiveness", func() (string, error) {
			return verdict(h.CheckLiveness(ctx, sdk.LivenessRequest{Frames: in.frames, Challenge: sdk.Challenge{Numbers: []int{2, 4, 1}}, Guide: flow.Guide(flow.StepVideo)}))
		}},
		{"*", "AnalyzeFrame", func() (string, error) {
			a, err := h.AnalyzeFrame(ctx, frame)
			return fmt.Sprintf("%d hints", len(a.Hints)), err
		}},
	}
	pids := map[string]int{}
	restarts := map[string]int{}
	for _, hl := range h.Health() {
		pids[hl.Name] = hl.PID
		restarts[hl.Name] = hl.Restarts
	}
	names := make([]string, 0, len(pids))
	for name := range pids {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "detector RSS over %d calls of every method through app/detect (%s; selfie %dx%d, signature %dx%d, video %d frames %dx%d; %s/%s, %d CPUs)\n",
		n, dir, in.face.Width, in.face.Height, in.signature.Width, in.signature.Height, len(in.frames), in.frames[0].Image.Width, in.frames[0].Image.Height,
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Fprintf(w, "%6s", "calls")
	for _, name := range names {
		fmt.Fprintf(w, " %12s", name+"-MiB")
	}
	fmt.Fprintln(w, "  elapsed")
	row := func(calls int, began time.Time) map[string]int64 {
		out := map[string]int64{}
		fmt.Fprintf(w, "%6d", calls)
		for _, name := range names {
			out[name] = procRSS(pids[name])
			fmt.Fprintf(w, " %12s", mib(out[name]))
		}
		fmt.Fprintf(w, "  %s\n", time.Since(began).Round(time.Second))
		return out
	}
	answers := map[string]map[string]int{}
	began := time.Now()
	first := row(0, began)
	var warm, last map[string]int64
	for i := 1; i <= n; i++ {
		for _, m := range methods {
			out, err := m.call()
			if err != nil {
				out = "error: " + err.Error()
			}
			key := m.plugin + "." + m.name
			if answers[key] == nil {
				answers[key] = map[string]int{}
			}
			answers[key][out]++
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if i%every == 0 || i == n {
			last = row(i, began)
			if warm == nil {
				warm = last
			}
		}
	}
	ok := true
	for _, hl := range h.Health() {
		if hl.PID != pids[hl.Name] || hl.Restarts != restarts[hl.Name] {
			fmt.Fprintf(w, "plugin %s restarted during the run (pid %d → %d, restarts %d → %d): its RSS figures are not one process's\n",
				hl.Name, pids[hl.Name], hl.PID, restarts[hl.Name], hl.Restarts)
			ok = false
		}
	}
	for _, name := range names {
		grow := last[name] - warm[name]
		limit := 32<<20 + warm[name]/10
		verdict := "flat"
		if grow > limit {
			verdict, ok = "GROWS", false
		}
		fmt.Fprintf(w, "%s: %s MiB at start, %s MiB after %d calls, %s MiB after %d: %+.1f MiB after warm-up (rule ≤ %s MiB): %s\n",
			name, mib(first[name]), mib(warm[name]), min(every, n), mib(last[name]), n, float64(grow)/(1<<20), mib(limit), verdict)
	}
	keys := make([]string, 0, len(answers))
	for k := range answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "answers %s: %v\n", k, answers[k])
	}
	if len(names) == 0 {
		fmt.Fprintln(w, "could not verify: no plugin running")
		ok = false
	}
	return ok, nil
}
