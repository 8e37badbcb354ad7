package detector

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/conformance"
	"github.com/ehraz/ehraz/synth"
)

func TestChallengeVerdicts(t *testing.T) {
	d := ready(t)
	img, box := face(t, d, "bona.jpg")
	cases := []struct {
		name      string
		kind      synth.ClipKind
		shown     []int
		challenge []int
		want      sdk.Outcome
		reason    string
	}{
		{"right fingers in order pass", synth.Genuine, []int{3, 1, 5}, []int{3, 1, 5}, sdk.Pass, "verdict.liveness.sequence.matched"},
		{"wrong order fails", synth.Genuine, []int{1, 3, 5}, []int{3, 1, 5}, sdk.Fail, "verdict.liveness.sequence.wrong_order"},
		{"a number not shown fails", synth.Genuine, []int{2, 4}, []int{2, 4, 1}, sdk.Fail, "verdict.liveness.sequence.number_missing"},
		{"no hand fails", synth.Genuine, nil, []int{2, 4, 1}, sdk.Fail, "verdict.liveness.sequence.no_hand"},
		{"photo on a phone screen fails", synth.ScreenReplay, []int{3, 1, 5}, []int{3, 1, 5}, sdk.Fail, "verdict.liveness.spoof.suspected"},
		{"flat photo fails", synth.FlatWarp, []int{3, 1, 5}, []int{3, 1, 5}, sdk.Fail, "verdict.liveness.spoof.suspected"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := clip(t, img, box, c.kind, c.shown, uint64(100+i))
			v, err := d.CheckLiveness(context.Background(), request(cl, c.challenge))
			if err != nil {
				t.Fatal(err)
			}
			if v.Outcome != c.want || !slices.Contains(v.Reasons, c.reason) {
				t.Fatalf("got %v %v, want %v with %s\nrules: %+v", v.Outcome, v.Reasons, c.want, c.reason, v.Rules)
			}
			if c.want == sdk.Pass {
				if n := len(v.Artifacts); n < 3 || n > 5 {
					t.Fatalf("%d keyframes, want 3–5", n)
				}
				for _, a := range v.Artifacts {
					if a.Name != "liveness.keyframe" || len(a.Image.Data) == 0 {
						t.Fatalf("bad artifact %q", a.Name)
					}
				}
				if v.Score < minLiveScore {
					t.Fatalf("live score %v below %v on a genuine clip", v.Score, minLiveScore)
				}
			}
		})
	}
}

func TestBadRequestsNeverPass(t *testing.T) {
	d := ready(t)
	good := conformance.SyntheticJPEG(640, 480)
	frames := func(img sdk.Image, n int) []sdk.Frame {
		fr := make([]sdk.Frame, n)
		for i := range fr {
			fr[i] = sdk.Frame{Image: img, TimestampMS: int64(i * 66)}
		}
		return fr
	}
	cases := []struct {
		name   string
		req    sdk.LivenessRequest
		reason string
	}{
		{"empty request", sdk.LivenessRequest{}, "verdict.liveness.frames.none"},
		{"no challenge", sdk.LivenessRequest{Frames: frames(good, 10)}, "verdict.liveness.challenge.invalid"},
		{"challenge out of range", sdk.LivenessRequest{Frames: frames(good, 10), Challenge: sdk.Challenge{Numbers: []int{0, 6, 2}}}, "verdict.liveness.challenge.invalid"},
		{"too many frames", sdk.LivenessRequest{Frames: frames(good, maxFrames+1), Challenge: sdk.Challenge{Numbers: []int{1, 2, 3}}}, "verdict.liveness.frames.too_many"},
		{"video too large", sdk.LivenessRequest{Frames: frames(sdk.Image{Data: make([]byte, maxFrameBytes), Format: "jpeg"}, maxVideoBytes/maxFrameBytes+1),
			Challenge: sdk.Challenge{Numbers: []int{1, 2, 3}}}, "verdict.liveness.video.too_large"},
	}
	for _, b := range conformance.BadImages() {
		cases = append(cases, struct {
			name   string
			req    sdk.LivenessRequest
			reason string
		}{"frames " + b.Name, sdk.LivenessRequest{Frames: frames(b.Image, 20), Challenge: sdk.Challenge{Numbers: []int{1, 2, 3}}}, "verdict.liveness.frames.unreadable"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := d.CheckLiveness(context.Background(), c.req)
			if err != nil {
				t.Fatal(err)
			}
			if v.Outcome != sdk.CouldNotVerify || !slices.Contains(v.Reasons, c.reason) {
				t.Fatalf("got %v %v, want could-not-verify with %s", v.Outcome, v.Reasons, c.reason)
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		v, err := d.CheckLiveness(ctx, sdk.LivenessRequest{Frames: frames(good, 30), Challenge: sdk.Challenge{Numbers: []int{1, 2, 3}}})
		if err == nil || v.Outcome == sdk.Pass {
			t.Fatalf("cancelled call answered %v %v", v.Outcome, err)
		}
	})
}

func TestMissingModelsCouldNotVerify(t *testing.T) {
	d := New(t.TempDir())
	defer d.Close()
	v, err := d.CheckLiveness(context.Background(), sdk.LivenessRequest{
		Frames:    []sdk.Frame{{Image: conformance.SyntheticJPEG(640, 480)}},
		Challenge: sdk.Challenge{Numbers: []int{1, 2, 3}},
	})
	if err != nil || v.Outcome != sdk.CouldNotVerify || !slices.Contains(v.Reasons, "verdict.liveness.model.missing") {
		t.Fatalf("got %v %v %v", v.Outcome, v.Reasons, err)
	}
}

func TestConformanceInProcess(t *testing.T) {
	d := ready(t)
	conformance.RunImpl(t, d)
}

func TestConformanceOverGRPC(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin binary")
	}
	ready(t)
	bin := filepath.Join(t.TempDir(), "liveness")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/ehraz/ehraz/plugins/liveness")
	cmd.Dir = repoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build plugin: %v\n%s", err, out)
	}
	dir := os.Getenv("EHRAZ_MODEL_DIR")
	if dir == "" {
		t.Setenv("EHRAZ_MODEL_DIR", filepath.Join(repoRoot(), "models"))
	}
	r, stop, err := conformance.Start(bin, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for _, res := range conformance.Check(context.Background(), r).Results {
		if !res.OK {
			t.Errorf("conformance rule %s: %s", res.Rule, res.Detail)
		}
	}
}
