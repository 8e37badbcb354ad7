package main

import (
	"fmt"
	"testing"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/face/calibration"
)

// TestFaceLeaveOneOut: set "one" has people a, b, c with three photos each, same-person pairs at
// 0.2, different-person pairs at 0.8 except one look-alike pair (a1, b1) at 0.2; set "two" only
// adds different-person pairs at 0.9 to every fit. Each person's pairs must carry the estimate of
// a table fitted without that person's pairs (and with all of set two), a different-person pair
// must be judged once for each of its people, and the groups must be those of faceFuseRates.
func TestFaceLeaveOneOut(t *testing.T) {
	var photos []*faceLabelled
	for _, person := range []string{"a", "b", "c"} {
		for i := 1; i <= 3; i++ {
			photos = append(photos, &faceLabelled{personPhoto: personPhoto{file: fmt.Sprintf("%s%d", person, i), person: person}})
		}
	}
	one := faceSet{name: "one"}
	for i := range photos {
		for j := i + 1; j < len(photos); j++ {
			a, b := photos[i], photos[j]
			d := 0.8
			if a.person == b.person || (a.file == "a1" && b.file == "b1") {
				d = 0.2
			}
			one.pairs = append(one.pairs, facePair{a: a, b: b, dist: d, qual: 1})
		}
	}
	two := faceSet{name: "two"}
	for i := range 6 {
		x := &faceLabelled{personPhoto: personPhoto{file: fmt.Sprintf("x%d", i), person: fmt.Sprintf("x%d", i)}}
		y := &faceLabelled{personPhoto: personPhoto{file: fmt.Sprintf("y%d", i), person: fmt.Sprintf("y%d", i)}}
		two.pairs = append(two.pairs, facePair{a: x, b: y, dist: 0.9, qual: 1})
	}
	policy := flow.FacePolicy{PassFMR: 0.35, FailFMR: 0.95, FusedPassFMR: 0.35}
	loo, err := faceLeaveOneOut(policy, []faceSet{one, two}, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Without person a, set one keeps b–c pairs only (9 at 0.8, the look-alike pair involves a).
	without := func(person string) calibration.Table {
		var imp []float64
		for _, p := range one.pairs {
			if !p.same() && p.a.person != person && p.b.person != person {
				imp = append(imp, p.dist)
			}
		}
		tab, err := calibration.Fit([]calibration.Set{{Name: "one", Impostor: imp}, {Name: "two", Impostor: []float64{0.9, 0.9, 0.9, 0.9, 0.9, 0.9}}})
		if err != nil {
			t.Fatal(err)
		}
		return tab
	}
	genuine, impostor, lookalike := 0, 0, 0
	for _, p := range loo[0].pairs {
		if p.same() {
			genuine++
			if want := without(p.a.person).FMR(p.dist); p.est != want {
				t.Errorf("%s–%s: estimate %g, want %g (table without %s)", p.a.file, p.b.file, p.est, want, p.a.person)
			}
			continue
		}
		impostor++
		if p.a.file == "a1" && p.b.file == "b1" {
			lookalike++
			if wa, wb := without("a").FMR(0.2), without("b").FMR(0.2); p.est != wa && p.est != wb {
				t.Errorf("look-alike pair: estimate %g, want %g or %g", p.est, wa, wb)
			}
		}
	}
	if genuine != 9 || impostor != 54 || lookalike != 2 {
		t.Errorf("pairs: %d genuine, %d different (look-alike %d), want 9, 54 (27 twice), 2", genuine, impostor, lookalike)
	}
	if len(loo[1].pairs) != 12 {
		t.Errorf("set two: %d pairs, want each of 6 twice", len(loo[1].pairs))
	}
	// Without a (or b) the look-alike pair is out of the fit: set two's 6 pairs floor the table at
	// 2.7/8.7 = 0.31, so a's and b's same-person pairs pass and so does the look-alike pair, once
	// for each of its people. Without c it is in the fit (1 of 9 at 0.2: bound 0.39): c's
	// same-person pairs stay in review. The pairs at 0.8 never pass.
	r := faceApplyPolicy(policy, loo[0].pairs)
	if r.FNMR != 3.0/9 || r.FMR != 2.0/54 {
		t.Errorf("policy: fnmr %.4f fmr %.4f, want 3/9 and 2/54", r.FNMR, r.FMR)
	}
	// Groups of two: per person left out, 3 genuine (each photo against the other two) and 36
	// different-person groups (its 3 photos against 3 pairs of each other person's photos, and
	// the others' 6 photos against 3 pairs of its own). a's and b's genuine groups pass, c's do
	// not; a group holding the look-alike pair has the upper median of 0.2 and 0.8: none passes.
	f := loo[0].fused
	if f.genuine != 9 || f.impostor != 108 || f.genuinePass != 6 || f.falsePass != 0 || f.genuineFail != 0 {
		t.Errorf("fused %+v, want 9 genuine groups 6 passing, 108 different-person groups none passing", f)
	}
}
