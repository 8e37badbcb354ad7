package conformance

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// CouldNotVerify begins the detail of a rule the kit could not run (an optional feature the plugin
// does not offer, or test data missing): the rule does not fail, and it did not pass either.
const CouldNotVerify = "COULD NOT VERIFY"

// matchFaceFiles are photos of the shared hard set matched pairwise by the estimate check: small
// files, two people with two photos each, so the distances spread from same-person to look-alike
// to clearly different.
var matchFaceFiles = []string{"tzuyu.jpg", "tzuyu2.jpg", "jimin5.jpg", "jimin6.jpg", "chaeyeon3.jpg", "joy.jpg", "seulgi.jpg", "bona2.jpg"}

// matchFaces loads matchFaceFiles from $SHARED/testdata/faces (or ../shared), those present.
func matchFaces() []sdk.Image {
	dir := os.Getenv("SHARED")
	if dir == "" {
		dir = "../shared"
	}
	var out []sdk.Image
	for _, n := range matchFaceFiles {
		b, err := os.ReadFile(filepath.Join(dir, "testdata", "faces", n))
		if err != nil {
			continue
		}
		if img, ok := decodeSize(b); ok {
			out = append(out, img)
		}
	}
	return out
}

// scored is one MatchFaces answer's score.
type scored struct {
	pair string
	m    sdk.MatchScore
}

// checkMatchEstimates is the rule on a face plugin's calibrated estimate (sdk.MatchScore, optional
// in protocol v1): every estimate is a rate (0..1) and, over all pairs of faces, a larger distance
// never has a smaller estimate — else a face farther from the reference could pass where a closer
// one does not. A plugin that gives no estimate, or a run without the shared photos, cannot be
// checked: the rule says "COULD NOT VERIFY" in its detail (and the kiosk sends every match of a
// plugin without an estimate to review).
func checkMatchEstimates(ctx context.Context, d Detector, faces []sdk.Image, add func(rule string, ok bool, format string, a ...any)) {
	const rule = "MatchFaces.estimate_monotonic"
	if len(faces) < 3 {
		add(rule, true, CouldNotVerify+": %d of the shared test faces found (set SHARED)", len(faces))
		return
	}
	var got []scored
	without := 0
	for i := range faces {
		for j := i; j < len(faces); j++ {
			v, err := d.MatchFaces(ctx, sdk.MatchRequest{Probe: faces[i], Reference: faces[j]})
			if err != nil {
				add(rule, false, "MatchFaces face %d vs %d: %v", i, j, err)
				return
			}
			if v.Match == nil {
				without++
				continue
			}
			got = append(got, scored{fmt.Sprintf("faces %d~%d", i, j), *v.Match})
		}
	}
	if len(got) == 0 {
		add(rule, true, CouldNotVerify+": no match score in %d answers (the plugin gives no estimate)", without)
		return
	}
	ok, detail := monotonic(got)
	switch {
	case !ok:
		add(rule, false, "%s", detail)
	default:
		add(rule, true, "%d scored pairs, %s", len(got), detail)
	}
}

// monotonic reports whether (of at least one score) every estimate is a rate and none falls as the distance grows.
func monotonic(got []scored) (bool, string) {
	for _, s := range got {
		if math.IsNaN(s.m.EstimatedFMR) || s.m.EstimatedFMR < 0 || s.m.EstimatedFMR > 1 || math.IsNaN(s.m.Distance) {
			return false, fmt.Sprintf("%s: distance %v estimated FMR %v, want a rate in 0..1", s.pair, s.m.Distance, s.m.EstimatedFMR)
		}
	}
	s := slices.Clone(got)
	sort.SliceStable(s, func(i, j int) bool { return s[i].m.Distance < s[j].m.Distance })
	for i := 1; i < len(s); i++ {
		if s[i].m.EstimatedFMR < s[i-1].m.EstimatedFMR {
			return false, fmt.Sprintf("%s at distance %.4f has estimated FMR %.4g, below %s's %.4g at the smaller distance %.4f",
				s[i].pair, s[i].m.Distance, s[i].m.EstimatedFMR, s[i-1].pair, s[i-1].m.EstimatedFMR, s[i-1].m.Distance)
		}
	}
	return true, fmt.Sprintf("distance %.3f..%.3f, estimate %.4g..%.4g", s[0].m.Distance, s[len(s)-1].m.Distance, s[0].m.EstimatedFMR, s[len(s)-1].m.EstimatedFMR)
}
