package conformance

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// scoring is a face matcher whose distance is the byte-length difference of the two pictures and
// whose estimate is est(distance) (nil: no estimate).
type scoring struct{ est func(d float64) float64 }

func (scoring) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "scoring", Version: "1", Kinds: []sdk.Kind{sdk.KindFace}, Capabilities: []string{"MatchFaces"}}, nil
}

func (scoring) CheckSelfie(context.Context, sdk.SelfieRequest) (sdk.Verdict, error) {
	return sdk.CouldNotVerifyVerdict(sdk.ReasonUnimplemented), nil
}

func (s scoring) MatchFaces(_ context.Context, r sdk.MatchRequest) (sdk.Verdict, error) {
	d := float64(len(r.Probe.Data)-len(r.Reference.Data)) / 10
	if d < 0 {
		d = -d
	}
	v := sdk.Verdict{Outcome: sdk.NeedsReview, Reasons: []string{"r"}}
	if s.est != nil {
		v.Match = &sdk.MatchScore{Distance: d, EstimatedFMR: s.est(d)}
	}
	return v, nil
}

func TestMatchEstimateRule(t *testing.T) {
	faces := make([]sdk.Image, 5)
	for i := range faces {
		faces[i] = sdk.Image{Data: make([]byte, i*3), Format: "jpeg"}
	}
	tests := []struct {
		name   string
		est    func(float64) float64
		ok     bool
		detail string
	}{
		{"rising estimate", func(d float64) float64 { return d / 2 }, true, "scored pairs"},
		{"flat estimate", func(float64) float64 { return 0.3 }, true, "scored pairs"},
		{"falling estimate", func(d float64) float64 { return 1 - d/2 }, false, "below"},
		{"not a rate", func(d float64) float64 { return d * 10 }, false, "want a rate"},
		{"no estimate", nil, true, "COULD NOT VERIFY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []Result
			add := func(rule string, ok bool, format string, a ...any) {
				got = append(got, Result{Rule: rule, OK: ok, Detail: fmt.Sprintf(format, a...)})
			}
			checkMatchEstimates(context.Background(), Wrap(scoring{tc.est}), faces, add)
			if len(got) != 1 || got[0].Rule != "MatchFaces.estimate_monotonic" || got[0].OK != tc.ok || !strings.Contains(got[0].Detail, tc.detail) {
				t.Fatalf("results %+v, want ok=%v with %q", got, tc.ok, tc.detail)
			}
		})
	}
	var got []Result
	checkMatchEstimates(context.Background(), Wrap(scoring{}), faces[:2], func(rule string, ok bool, format string, a ...any) {
		got = append(got, Result{Rule: rule, OK: ok, Detail: fmt.Sprintf(format, a...)})
	})
	if len(got) != 1 || !strings.HasPrefix(got[0].Detail, "COULD NOT VERIFY") {
		t.Errorf("without the shared faces: %+v", got)
	}
}

// The whole kit runs the rule for a plugin that declares MatchFaces.
func TestCheckRunsTheEstimateRule(t *testing.T) {
	rep := Check(context.Background(), Wrap(scoring{func(d float64) float64 { return 1 - d/100 }}))
	for _, r := range rep.Results {
		if r.Rule == "MatchFaces.estimate_monotonic" {
			if len(matchFaces()) >= 3 && r.OK {
				t.Errorf("a falling estimate passed: %s", r.Detail)
			}
			return
		}
	}
	t.Error("Check did not run MatchFaces.estimate_monotonic")
}
