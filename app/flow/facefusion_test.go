package flow

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// pair is a MatchFaces verdict with an estimate and, when q ≥ 0, a pair-quality rule.
func pair(est, q float64) sdk.Verdict {
	v := sdk.Verdict{Outcome: sdk.NeedsReview, Match: &sdk.MatchScore{Distance: est, EstimatedFMR: est, Calibration: "t"}}
	if q >= 0 {
		v.Rules = append(v.Rules, sdk.Rule{Name: PairQualityRule, Value: q})
	}
	return v
}

func TestFuse(t *testing.T) {
	p := FacePolicy{PassFMR: 0.05, FailFMR: 0.95}
	tests := []struct {
		name    string
		vs      []sdk.Verdict
		want    sdk.Outcome
		est     float64 // fused estimate in the face.match.fused rule
		unit    string
		lowQual bool
	}{
		{"one good pair passes", []sdk.Verdict{pair(0.01, 0.9)}, sdk.Pass, 0.01, "median_of_1/1", false},
		{"median of three, one lucky frame does not pass a look-alike", []sdk.Verdict{pair(0.001, 0.9), pair(0.3, 0.9), pair(0.4, 0.9)}, sdk.NeedsReview, 0.3, "median_of_3/3", false},
		{"median of three, one blurred frame does not stop the right person", []sdk.Verdict{pair(0.02, 0.9), pair(0.03, 0.9), pair(0.6, 0.9)}, sdk.Pass, 0.03, "median_of_3/3", false},
		{"even count takes the upper middle", []sdk.Verdict{pair(0.01, 0.9), pair(0.2, 0.9)}, sdk.NeedsReview, 0.2, "median_of_2/2", false},
		{"low-quality pairs left out beside a good one", []sdk.Verdict{pair(0.3, 0.2), pair(0.02, 0.9), pair(0.5, 0.1)}, sdk.Pass, 0.02, "median_of_1/3", false},
		{"only low quality: pass limit ten times stricter", []sdk.Verdict{pair(0.02, 0.2)}, sdk.NeedsReview, 0.02, "median_of_1/1", true},
		{"only low quality: a clear match still passes", []sdk.Verdict{pair(0.004, 0.2)}, sdk.Pass, 0.004, "median_of_1/1", true},
		{"only low quality: fail limit halfway to one", []sdk.Verdict{pair(0.96, 0.2)}, sdk.NeedsReview, 0.96, "median_of_1/1", true},
		{"good quality fails at the same estimate", []sdk.Verdict{pair(0.96, 0.9)}, sdk.Fail, 0.96, "median_of_1/1", false},
		{"no quality rule: no widening", []sdk.Verdict{pair(0.02, -1)}, sdk.Pass, 0.02, "median_of_1/1", false},
		{"pairs without estimate do not count", []sdk.Verdict{{Outcome: sdk.Pass}, pair(0.5, 0.9)}, sdk.NeedsReview, 0.5, "median_of_1/2", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := p.Fuse(tc.vs...)
			if v.Outcome != tc.want {
				t.Fatalf("outcome %v, want %v (reasons %v)", v.Outcome, tc.want, v.Reasons)
			}
			var fused *sdk.Rule
			for i := range v.Rules {
				if v.Rules[i].Name == "face.match.fused" {
					fused = &v.Rules[i]
				}
			}
			if fused == nil || fused.Value != tc.est || fused.Unit != tc.unit {
				t.Fatalf("fused rule %+v, want estimate %v unit %s", fused, tc.est, tc.unit)
			}
			if got := slices.Contains(v.Reasons, reasonLowQuality); got != tc.lowQual {
				t.Errorf("low-quality reason %v, want %v (%v)", got, tc.lowQual, v.Reasons)
			}
		})
	}
}

// TestFuseFusedLimit: three or more good pairs are held to FusedPassFMR, fewer to PassFMR.
func TestFuseFusedLimit(t *testing.T) {
	p := FacePolicy{PassFMR: 0.05, FailFMR: 0.95, FusedPassFMR: 0.2}
	tests := []struct {
		name string
		vs   []sdk.Verdict
		want sdk.Outcome
	}{
		{"three good pairs at 0.1", []sdk.Verdict{pair(0.08, 0.9), pair(0.1, 0.9), pair(0.5, 0.9)}, sdk.Pass},
		{"three good pairs at 0.3", []sdk.Verdict{pair(0.01, 0.9), pair(0.3, 0.9), pair(0.5, 0.9)}, sdk.NeedsReview},
		{"two good pairs at 0.1", []sdk.Verdict{pair(0.08, 0.9), pair(0.1, 0.9)}, sdk.NeedsReview},
		{"three pairs, one low quality", []sdk.Verdict{pair(0.08, 0.9), pair(0.1, 0.9), pair(0.01, 0.1)}, sdk.NeedsReview},
		{"one pair at 0.1", []sdk.Verdict{pair(0.1, 0.9)}, sdk.NeedsReview},
	}
	for _, tc := range tests {
		if v := p.Fuse(tc.vs...); v.Outcome != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, v.Outcome, tc.want)
		}
	}
	if err := (FacePolicy{PassFMR: 0.05, FailFMR: 0.5, FusedPassFMR: 0.6}).Validate(); err == nil {
		t.Error("fused pass limit above the fail limit accepted")
	}
}

func TestFuseWithoutEstimates(t *testing.T) {
	p := DefaultFacePolicy()
	if v := p.Fuse(); v.Outcome != sdk.CouldNotVerify {
		t.Errorf("no verdicts: %v", v.Outcome)
	}
	// A plugin's pass without an estimate never auto-passes (same as Apply).
	if v := p.Fuse(sdk.Verdict{Outcome: sdk.Pass}); v.Outcome != sdk.NeedsReview {
		t.Errorf("pass without estimate: %v", v.Outcome)
	}
	if v := p.Fuse(sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"x"}}); v.Outcome != sdk.Fail {
		t.Errorf("plugin's fail without estimate: %v", v.Outcome)
	}
	if v := p.Fuse(pair(math.NaN(), 0.9)); v.Outcome != sdk.NeedsReview {
		t.Errorf("NaN estimate: %v", v.Outcome)
	}
}

// TestApplyWidensForLowQuality: the single-pair Apply follows the same quality rule.
func TestApplyWidensForLowQuality(t *testing.T) {
	p := FacePolicy{PassFMR: 0.05, FailFMR: 0.95}
	if v := p.Apply(pair(0.02, 0.9)); v.Outcome != sdk.Pass {
		t.Errorf("good pair: %v", v.Outcome)
	}
	v := p.Apply(pair(0.02, 0.3))
	if v.Outcome != sdk.NeedsReview || !slices.Contains(v.Reasons, reasonLowQuality) {
		t.Errorf("low-quality pair: %v %v", v.Outcome, v.Reasons)
	}
}

// fakeMatcher answers MatchFaces with the next verdict of its list (an error past its end).
type fakeMatcher struct {
	vs    []sdk.Verdict
	calls int
}

func (f *fakeMatcher) MatchFaces(ctx context.Context, req sdk.MatchRequest) (sdk.Verdict, error) {
	if f.calls >= len(f.vs) {
		f.calls++
		return sdk.Verdict{}, errors.New("plugin gone")
	}
	f.calls++
	return f.vs[f.calls-1], nil
}

func TestMatchRegistry(t *testing.T) {
	p := DefaultFacePolicy()
	img := sdk.Image{Data: []byte{1}}
	tests := []struct {
		name   string
		selfie sdk.Verdict
		frames []sdk.Verdict
		n      int // keyframes given
		want   sdk.Outcome
	}{
		{"selfie alone reviews, three keyframes agree: pass", pair(0.1, 0.9), []sdk.Verdict{pair(0.12, 0.9), pair(0.15, 0.9)}, 2, sdk.Pass},
		{"keyframes of someone else outvote the selfie", pair(0.01, 0.9), []sdk.Verdict{pair(0.6, 0.9), pair(0.7, 0.9)}, 2, sdk.NeedsReview},
		{"a plugin error does not count", pair(0.01, 0.9), nil, 1, sdk.Pass},
		{"no keyframes: the selfie decides", pair(0.1, 0.9), nil, 0, sdk.NeedsReview},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeMatcher{vs: tc.frames}
			frames := make([]sdk.Image, tc.n)
			for i := range frames {
				frames[i] = img
			}
			v := p.MatchRegistry(context.Background(), f, tc.selfie, img, frames)
			if v.Outcome != tc.want || f.calls != tc.n {
				t.Fatalf("outcome %v (want %v), %d calls (want %d), reasons %v", v.Outcome, tc.want, f.calls, tc.n, v.Reasons)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := &fakeMatcher{vs: []sdk.Verdict{pair(0.9, 0.9)}}
	if v := p.MatchRegistry(ctx, f, pair(0.01, 0.9), img, []sdk.Image{img}); f.calls != 0 || v.Outcome != sdk.Pass {
		t.Errorf("cancelled: %d calls, %v", f.calls, v.Outcome)
	}
}
