package facecheck

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

// TestMatchFacesPairs takes every photo of the people with two or three photos (frontal studio
// shots dominate there) and checks, at the plugin's threshold, that different people never match
// and that same-person pairs match at least once, and that the verdict carries its distance and
// the threshold's error rates.
func TestMatchFacesPairs(t *testing.T) {
	d := openTest(t)
	dir := facesDir(t)
	type photo struct{ person, file string }
	var photos []photo
	for p, files := range people(t, dir) {
		if len(files) == 2 {
			for _, f := range files {
				photos = append(photos, photo{p, f})
			}
		}
	}
	if len(photos) < 4 {
		t.Fatalf("people.tsv has too few people with two photos: %v", photos)
	}
	imgs := map[string]sdk.Image{}
	for _, p := range photos {
		imgs[p.file] = encode(t, loadImage(t, dir, p.file, 800))
	}
	sameTotal, sameMatched := 0, 0
	for i := range photos {
		for j := i + 1; j < len(photos); j++ {
			a, b := photos[i], photos[j]
			v, err := d.MatchFaces(context.Background(), sdk.MatchRequest{Probe: imgs[a.file], Reference: imgs[b.file]})
			if err != nil {
				t.Fatal(err)
			}
			r, ok := findRule(v, "face.match.distance")
			if !ok {
				t.Fatalf("%s vs %s: no distance rule, %v %v", a.file, b.file, v.Outcome, v.Reasons)
			}
			if _, ok := findRule(v, "face.match.fmr"); !ok {
				t.Errorf("%s vs %s: no fmr rule", a.file, b.file)
			}
			if a.person == b.person {
				sameTotal++
				if v.Outcome == sdk.Pass {
					sameMatched++
				}
				continue
			}
			if v.Outcome == sdk.Pass || r.Value <= d.th.MatchPass {
				t.Errorf("different people %s and %s matched: distance %.3f", a.person, b.person, r.Value)
			}
		}
	}
	t.Logf("same-person pairs matched: %d of %d", sameMatched, sameTotal)
	if sameMatched == 0 {
		t.Errorf("no same-person pair matched at %.3f", d.th.MatchPass)
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
