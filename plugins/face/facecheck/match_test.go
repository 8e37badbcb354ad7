package facecheck

import (
	"bufio"
	"context"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	face "github.com/Kagami/go-face"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// people reads people.tsv: photo → person ("-" for the group photo).
func people(t *testing.T, dir string) map[string][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "people.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) >= 2 && c[0] != "file" && c[1] != "-" {
			out[c[1]] = append(out[c[1]], c[0])
		}
	}
	return out
}

// TestMatchFacesPairs computes the descriptor of every labelled photo of the hard set once, then
// checks the decision on all pairs: at most 5% of different-person pairs pass (the target
// for look-alikes), some same-person pairs do; and MatchFaces end to end passes the closest
// same-person pair, does not pass the median different-person pair, and returns the distance
// with the calibrated estimate.
func TestMatchFacesPairs(t *testing.T) {
	d := openTest(t)
	dir := facesDir(t)
	type photo struct {
		person, file string
		img          sdk.Image
		desc         face.Descriptor
	}
	var photos []photo
	for person, files := range people(t, dir) {
		for _, f := range files {
			img := encode(t, loadImage(t, dir, f, 1024))
			pic, err := decode(img)
			if err != nil {
				t.Fatal(err)
			}
			hint, _ := d.backgroundFaces(pic)
			fs, err := d.faces(pic, largestBox(hint)) // as MatchFaces does
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) == 0 {
				continue // two photos have no face HOG can find
			}
			best := 0
			for j, f := range fs {
				if f.Rectangle.Dx() > fs[best].Rectangle.Dx() {
					best = j
				}
			}
			photos = append(photos, photo{person, f, img, fs[best].Descriptor})
		}
	}
	if len(photos) < 20 {
		t.Fatalf("only %d photos with a face", len(photos))
	}
	type pair struct {
		a, b int
		dist float64
	}
	closestSame := pair{dist: math.Inf(1)}
	var diffs []pair
	sameMatched, same, diffMatched := 0, 0, 0
	for i := range photos {
		for j := i + 1; j < len(photos); j++ {
			p := pair{i, j, descriptorDistance(photos[i].desc, photos[j].desc)}
			r := d.matchRule(p.dist, d.cal.FMR(p.dist))
			if photos[i].person == photos[j].person {
				same++
				if r.Outcome == sdk.Pass {
					sameMatched++
				}
				if p.dist < closestSame.dist {
					closestSame = p
				}
				continue
			}
			if r.Outcome == sdk.Pass {
				diffMatched++
			}
			diffs = append(diffs, p)
		}
	}
	t.Logf("same-person pairs passed: %d of %d; different-person pairs passed: %d of %d", sameMatched, same, diffMatched, len(diffs))
	if sameMatched == 0 {
		t.Error("no same-person pair passes")
	}
	if share := float64(diffMatched) / float64(len(diffs)); share > 0.05 {
		t.Errorf("%.1f%% of different-person pairs pass, target at most 5%%", 100*share)
	}
	sort.Slice(diffs, func(i, j int) bool { return diffs[i].dist < diffs[j].dist })
	for _, tc := range []struct {
		p    pair
		pass bool
	}{{closestSame, true}, {diffs[len(diffs)/2], false}} {
		a, b := photos[tc.p.a], photos[tc.p.b]
		v, err := d.MatchFaces(context.Background(), sdk.MatchRequest{Probe: a.img, Reference: b.img})
		if err != nil {
			t.Fatal(err)
		}
		r, _ := findRule(v, "face.match.distance")
		if (v.Outcome == sdk.Pass) != tc.pass || math.Abs(r.Value-tc.p.dist) > 1e-6 {
			t.Errorf("%s vs %s: %v at %.3f (descriptor distance %.3f), want pass=%v", a.person, b.person, v.Outcome, r.Value, tc.p.dist, tc.pass)
		}
		m := v.Match
		if m == nil || math.Abs(m.Distance-tc.p.dist) > 1e-6 || m.EstimatedFMR != d.cal.FMR(m.Distance) || m.Calibration != d.cal.ID {
			t.Errorf("%s vs %s: match score %+v", a.person, b.person, m)
		}
		if fmr, ok := findRule(v, "face.match.fmr"); !ok || m == nil || fmr.Value != m.EstimatedFMR {
			t.Error("no face.match.fmr rule with the estimate")
		}
	}
}

func TestMatchFacesNoFace(t *testing.T) {
	d := openTest(t)
	good := encode(t, loadImage(t, facesDir(t), goodSelfie, 640))
	blank := encode(t, scaleLight(imageRGBA(640, 480), 1))
	tests := []struct {
		name        string
		probe, ref  sdk.Image
		wantOutcome sdk.Outcome
		reason      string
	}{
		{"blank reference", good, blank, sdk.Fail, "verdict.face.match.reference.no_face"},
		{"blank probe", blank, good, sdk.Fail, "verdict.face.match.probe.no_face"},
		{"corrupt probe", sdk.Image{Data: []byte{0xff, 0xd8, 0xff}}, good, sdk.Fail, "verdict.face.match.probe.unreadable"},
		{"same photo", good, good, sdk.Pass, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := d.MatchFaces(context.Background(), sdk.MatchRequest{Probe: tc.probe, Reference: tc.ref})
			if err != nil {
				t.Fatal(err)
			}
			if v.Outcome != tc.wantOutcome || (tc.reason != "" && (len(v.Reasons) == 0 || v.Reasons[0] != tc.reason)) {
				t.Fatalf("outcome %v reasons %v, want %v %s", v.Outcome, v.Reasons, tc.wantOutcome, tc.reason)
			}
		})
	}
}
