package main

import (
	"sort"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// faceFuseMaxGroups bounds the K-photo groups drawn per (reference, person) so a person with many
// photos does not dominate the figures.
const faceFuseMaxGroups = 20

// faceDecided counts what a policy did to a set of decisions.
type faceDecided struct {
	pairs                            int
	autoPass, falsePass, genuineFail float64
}

// faceFuse is eval face --fuse's result for one set.
type faceFuse struct {
	genuine, impostor int
	fused, single     faceDecided
	// the fused groups' outcomes as counts (fused holds them as rates)
	genuinePass, genuineFail, impostorPass int
}

// pairVerdict rebuilds what the kiosk's policy sees of one measured pair: the estimate and the
// pair-quality rule.
func pairVerdict(p facePair) sdk.Verdict {
	v := sdk.Verdict{Outcome: sdk.NeedsReview}
	if p.est == p.est { // not NaN
		v.Match = &sdk.MatchScore{Distance: p.dist, EstimatedFMR: p.est}
	}
	if p.qual == p.qual {
		v.Rules = append(v.Rules, sdk.Rule{Name: flow.PairQualityRule, Value: p.qual})
	}
	return v
}

// kSubsets lists up to limit K-subsets of idx (lexicographic, then every step-th to spread them).
func kSubsets(n, k, limit int) [][]int {
	var all [][]int
	cur := make([]int, 0, k)
	var rec func(start int)
	rec = func(start int) {
		if len(cur) == k {
			all = append(all, append([]int(nil), cur...))
			return
		}
		for i := start; i < n; i++ {
			cur = append(cur, i)
			rec(i + 1)
			cur = cur[:len(cur)-1]
		}
	}
	rec(0)
	if len(all) <= limit {
		return all
	}
	out := make([][]int, 0, limit)
	for i := range limit {
		out = append(out, all[i*len(all)/limit])
	}
	return out
}

// faceFuseRates decides, for every photo taken as the reference, groups of k other photos of the
// same person (genuine) and of each other person (impostor) by flow.FacePolicy.Fuse, and every
// single pair by flow.FacePolicy.Apply, from the measured pairs.
func faceFuseRates(p flow.FacePolicy, pairs []facePair, k int) faceFuse {
	type key struct{ a, b string }
	byKey := map[key]facePair{}
	byPerson := map[string][]string{}
	seen := map[string]bool{}
	add := func(l *faceLabelled) {
		if !seen[l.file] {
			seen[l.file] = true
			byPerson[l.person] = append(byPerson[l.person], l.file)
		}
	}
	var res faceFuse
	var sGen, sImp, sGenPass, sImpPass, sGenFail int
	for _, pr := range pairs {
		byKey[key{pr.a.file, pr.b.file}] = pr
		byKey[key{pr.b.file, pr.a.file}] = pr
		add(pr.a)
		add(pr.b)
		o := p.Apply(pairVerdict(pr)).Outcome
		if pr.same() {
			sGen++
			sGenPass += b2i(o == sdk.Pass)
			sGenFail += b2i(o == sdk.Fail)
		} else {
			sImp++
			sImpPass += b2i(o == sdk.Pass)
		}
	}
	res.single = faceDecided{pairs: len(pairs), autoPass: ratio(sGenPass, sGen), falsePass: ratio(sImpPass, sImp), genuineFail: ratio(sGenFail, sGen)}
	persons := make([]string, 0, len(byPerson))
	for person, files := range byPerson {
		sort.Strings(files)
		persons = append(persons, person)
	}
	sort.Strings(persons)
	var gPass, gFail, iPass int
	decide := func(ref string, probes []string) (sdk.Outcome, bool) {
		vs := make([]sdk.Verdict, 0, len(probes))
		for _, f := range probes {
			pr, ok := byKey[key{ref, f}]
			if !ok {
				return 0, false
			}
			vs = append(vs, pairVerdict(pr))
		}
		return p.Fuse(vs...).Outcome, true
	}
	for _, refPerson := range persons {
		for _, ref := range byPerson[refPerson] {
			for _, person := range persons {
				var cand []string
				for _, f := range byPerson[person] {
					if f != ref {
						cand = append(cand, f)
					}
				}
				if len(cand) < k {
					continue
				}
				for _, idx := range kSubsets(len(cand), k, faceFuseMaxGroups) {
					probes := make([]string, k)
					for i, j := range idx {
						probes[i] = cand[j]
					}
					o, ok := decide(ref, probes)
					if !ok {
						continue
					}
					if person == refPerson {
						res.genuine++
						gPass += b2i(o == sdk.Pass)
						gFail += b2i(o == sdk.Fail)
					} else {
						res.impostor++
						iPass += b2i(o == sdk.Pass)
					}
				}
			}
		}
	}
	res.fused = faceDecided{pairs: res.genuine + res.impostor, autoPass: ratio(gPass, res.genuine), falsePass: ratio(iPass, res.impostor), genuineFail: ratio(gFail, res.genuine)}
	res.genuinePass, res.genuineFail, res.impostorPass = gPass, gFail, iPass
	return res
}
