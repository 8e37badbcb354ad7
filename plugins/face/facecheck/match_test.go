package facecheck

import (
	"bufio"
	"context"
	"math"
	"os"
	"path/filepath"
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

// TestMatchFacesPairs computes the descriptor of every labelled photo once, then checks the
// calibrated threshold on all pairs: no different-person pair is at or under MatchPass, some
// same-person pairs are; and MatchFaces end to end passes the closest same-person pair and does
// not pass the closest different-person pair.
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
			fs, err := d.faces(pic)
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
	th := d.th
	type pair struct {
		a, b int
		dist float64
	}
	closestSame, closestDiff := pair{dist: math.Inf(1)}, pair{dist: math.Inf(1)}
	sameMatched, same := 0, 0
	for i := range photos {
		for j := i + 1; j < len(photos); j++ {
			p := pair{i, j, math.Sqrt(face.SquaredEuclideanDistance(photos[i].desc, photos[j].desc))}
			r := th.matchRule(p.dist)
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
				t.Errorf("different people %s and %s match at %.3f", photos[i].person, photos[j].person, p.dist)
			}
			if p.dist < closestDiff.dist {
				closestDiff = p
			}
		}
	}
	t.Logf("same-person pairs matched: %d of %d; closest different pair %.3f", sameMatched, same, closestDiff.dist)
	if sameMatched == 0 {
		t.Errorf("no same-person pair matches at %.3f", th.MatchPass)
	}
	for _, tc := range []struct {
		p    pair
		pass bool
	}{{closestSame, true}, {closestDiff, false}} {
		a, b := photos[tc.p.a], photos[tc.p.b]
		v, err := d.MatchFaces(context.Background(), sdk.MatchRequest{Probe: a.img, Reference: b.img})
		if err != nil {
			t.Fatal(err)
		}
		r, _ := findRule(v, "face.match.distance")
		if (v.Outcome == sdk.Pass) != tc.pass || math.Abs(r.Value-tc.p.dist) > 1e-6 {
			t.Errorf("%s vs %s: %v at %.3f (descriptor distance %.3f), want pass=%v", a.person, b.person, v.Outcome, r.Value, tc.p.dist, tc.pass)
		}
		if _, ok := findRule(v, "face.match.fmr"); !ok {
			t.Error("no fmr rule")
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
