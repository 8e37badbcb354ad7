package main

import (
	"fmt"
	"sort"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/face/calibration"
)

// faceLOO is what eval face --loo measures on one set: every pair that involves a person, with the
// estimate of a table fitted without that person (a different-person pair appears twice, once
// for each of its people), and with --fuse the groups decided from those estimates.
type faceLOO struct {
	pairs []facePair
	fused faceFuseCount
}

// faceFuseCount adds up faceFuseRates' groups over several calls.
type faceFuseCount struct {
	genuine, impostor                   int
	genuinePass, genuineFail, falsePass int
}

func (c *faceFuseCount) add(f faceFuse) {
	c.genuine += f.genuine
	c.impostor += f.impostor
	c.genuinePass += f.genuinePass
	c.genuineFail += f.genuineFail
	c.falsePass += f.impostorPass
}

// faceLeaveOneOut judges every person as one the calibration never saw: for each person of each
// set it refits the table by the --calibrate method (calibration.Fit on every set's
// different-person pairs) without the pairs that involve that person, and re-estimates only those
// pairs with it; with k > 1 it also decides the groups faceFuseRates forms from them. The
// in-sample figures use the same pairs for the fit and the judgement; these do not.
func faceLeaveOneOut(p flow.FacePolicy, sets []faceSet, k int) ([]faceLOO, error) {
	out := make([]faceLOO, len(sets))
	for si, s := range sets {
		people := map[string]bool{}
		for _, pr := range s.pairs {
			people[pr.a.person], people[pr.b.person] = true, true
		}
		names := make([]string, 0, len(people))
		for n := range people {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, person := range names {
			involves := func(pr facePair) bool { return pr.a.person == person || pr.b.person == person }
			fit := make([]calibration.Set, 0, len(sets))
			for sj, o := range sets {
				var impostor []float64
				for _, pr := range o.pairs {
					if !pr.same() && !(sj == si && involves(pr)) {
						impostor = append(impostor, pr.dist)
					}
				}
				fit = append(fit, calibration.Set{Name: o.name, Impostor: impostor})
			}
			t, err := calibration.Fit(fit)
			if err != nil {
				return nil, fmt.Errorf("--loo without %s: %w", person, err)
			}
			var mine []facePair
			for _, pr := range s.pairs {
				if involves(pr) {
					pr.est = t.FMR(pr.dist)
					mine = append(mine, pr)
				}
			}
			out[si].pairs = append(out[si].pairs, mine...)
			if k > 1 {
				out[si].fused.add(faceFuseRates(p, mine, k))
			}
		}
	}
	return out, nil
}
