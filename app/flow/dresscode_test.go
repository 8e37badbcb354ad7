package flow

import (
	"slices"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// The dress-code review is the flow's, whoever made the face plugin: a plugin that passes a
// selfie without the flag still sends it to review; one that set the flag is not flagged twice;
// a failed selfie stays failed; with the setting off nothing is added.
func TestDressCodeReviewForEverySelfie(t *testing.T) {
	pass := sdk.Verdict{Outcome: sdk.Pass, Reasons: []string{"verdict.face.ok"}, Provenance: sdk.Provenance{Plugin: "vendor-face"}}
	flagged := sdk.Verdict{Outcome: sdk.NeedsReview, Reasons: []string{"verdict.face.dress_code.review"},
		Rules: []sdk.Rule{{Name: dressCodeRule, Outcome: sdk.NeedsReview, Reason: "verdict.face.dress_code.review"}}}
	fail := sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"verdict.face.count.none"}}
	for _, c := range []struct {
		name    string
		on      bool
		selfie  sdk.Verdict
		want    sdk.Outcome
		flagged int // dress-code rules in the verdict
	}{
		{"vendor plugin without the flag", true, pass, sdk.NeedsReview, 1},
		{"reference plugin that set it", true, flagged, sdk.NeedsReview, 1},
		{"failed selfie", true, fail, sdk.Fail, 1},
		{"setting off", false, pass, sdk.Pass, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			r.cfg.DressCodeReview = c.on
			r.m = r.machine(r.store)
			r.walk(StepSelfie)
			r.det.selfie = []sdk.Verdict{c.selfie}
			r.det.match = []sdk.Verdict{{Outcome: sdk.Pass}}
			v, err := r.check(Selfie{sdk.Image{Data: []byte("selfie"), Format: "jpeg"}})
			r.must(err)
			n := 0
			for _, rule := range v.Rules {
				if rule.Name == dressCodeRule {
					n++
				}
			}
			if v.Outcome != c.want || n != c.flagged {
				t.Errorf("outcome %v with %d dress-code rules, want %v with %d (reasons %v)", v.Outcome, n, c.want, c.flagged, v.Reasons)
			}
			if c.on && !slices.Contains(v.Reasons, "verdict.face.dress_code.review") {
				t.Errorf("reasons %v lack the dress-code review", v.Reasons)
			}
		})
	}
}
