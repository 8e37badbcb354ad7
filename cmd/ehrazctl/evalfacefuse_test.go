package main

import (
	"math"
	"testing"

	"github.com/ehraz/ehraz/app/flow"
)

func TestKSubsets(t *testing.T) {
	tests := []struct{ n, k, limit, want int }{
		{4, 3, 20, 4}, {6, 3, 20, 20}, {7, 3, 20, 20}, {3, 3, 20, 1}, {2, 3, 20, 0},
	}
	for _, tc := range tests {
		got := kSubsets(tc.n, tc.k, tc.limit)
		if len(got) != tc.want {
			t.Errorf("C(%d,%d) limit %d: %d subsets, want %d", tc.n, tc.k, tc.limit, len(got), tc.want)
		}
		for _, s := range got {
			for i := 1; i < len(s); i++ {
				if s[i] <= s[i-1] {
					t.Errorf("subset %v not increasing", s)
				}
			}
		}
	}
}

// TestFaceFuseRates: person p has 4 photos, q has 3. One of p's photos (pbad) is a poor match for
// every other (0.3, review alone): as single pairs 6 of 9 genuine pairs pass; by the median of
// three, every group with one bad picture among good ones passes and only pbad as the reference
// does not (3 of 4). One look-alike pair (p1, q1) auto-passes alone (1 of 12), never in a group.
func TestFaceFuseRates(t *testing.T) {
	ph := func(file, person string) *faceLabelled {
		return &faceLabelled{personPhoto: personPhoto{file: file, person: person}}
	}
	p := []*faceLabelled{ph("p1", "p"), ph("p2", "p"), ph("p3", "p"), ph("pbad", "p")}
	q := []*faceLabelled{ph("q1", "q"), ph("q2", "q"), ph("q3", "q")}
	var pairs []facePair
	all := append(append([]*faceLabelled(nil), p...), q...)
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			a, b := all[i], all[j]
			est := 0.9
			switch {
			case a.person == b.person && (a.file == "pbad" || b.file == "pbad"):
				est = 0.3
			case a.person == b.person:
				est = 0.01
			case (a.file == "p1" && b.file == "q1") || (a.file == "q1" && b.file == "p1"): // one look-alike pair
				est = 0.02
			}
			pairs = append(pairs, facePair{a: a, b: b, dist: est, est: est, qual: 0.9})
		}
	}
	r := faceFuseRates(flow.FacePolicy{PassFMR: 0.05, FailFMR: 0.95}, pairs, 3)
	// Genuine groups: each of p's 4 references against the other 3 → 4; q's 3 photos have only 2
	// others. Impostor groups: p's 4 references against q's 3 photos → 4; q's references against
	// 3-subsets of p's 4 photos → 3×4.
	if r.genuine != 4 || r.impostor != 16 {
		t.Fatalf("groups %d genuine %d impostor, want 4 and 16", r.genuine, r.impostor)
	}
	if r.fused.autoPass != 0.75 || r.fused.falsePass != 0 {
		t.Errorf("fused auto-pass %v false-pass %v, want 0.75 and 0", r.fused.autoPass, r.fused.falsePass)
	}
	if math.Abs(r.single.autoPass-6.0/9) > 1e-9 || math.Abs(r.single.falsePass-1.0/12) > 1e-9 {
		t.Errorf("single auto-pass %v false-pass %v", r.single.autoPass, r.single.falsePass)
	}
}
