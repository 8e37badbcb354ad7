package facecheck

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// MatchFaces remembers each picture's descriptor by its bytes: a second match against the same
// reference gives the same distance from the cache, and a different picture is never answered from
// another picture's entry.
func TestMatchFacesCachesDescriptors(t *testing.T) {
	d := openTest(t)
	dir := facesDir(t)
	a := encode(t, loadImage(t, dir, "bona.jpg", 640))
	b := encode(t, loadImage(t, dir, "bona2.jpg", 640))
	other := encode(t, loadImage(t, dir, "jimin.jpg", 640))
	ctx := context.Background()

	first, err := d.MatchFaces(ctx, sdk.MatchRequest{Probe: a, Reference: b})
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range []sdk.Image{a, b} {
		if c, ok := d.cache.get(sha256.Sum256(img.Data)); !ok || c.faces != 1 {
			t.Fatalf("picture not cached with its one face: %+v %v", c, ok)
		}
	}
	again, _ := d.MatchFaces(ctx, sdk.MatchRequest{Probe: a, Reference: b})
	d1, _ := findRule(first, "face.match.distance")
	d2, _ := findRule(again, "face.match.distance")
	if d1.Value != d2.Value || first.Outcome != again.Outcome {
		t.Errorf("cached match differs: %v %v vs %v %v", d1.Value, first.Outcome, d2.Value, again.Outcome)
	}
	diff, _ := d.MatchFaces(ctx, sdk.MatchRequest{Probe: other, Reference: b})
	d3, _ := findRule(diff, "face.match.distance")
	if d3.Value == d1.Value {
		t.Errorf("a different probe got the cached distance %v", d3.Value)
	}
	// The cache is bounded and keeps what is in use: with b looked up between insertions of
	// cacheSize other pictures, b stays and a (not used since) is gone.
	for i := 0; i < cacheSize; i++ {
		d.cache.put(cached{key: [32]byte{byte(i + 1)}, faces: 1})
		if _, ok := d.cache.get(sha256.Sum256(b.Data)); !ok {
			t.Fatal("the picture in use was evicted")
		}
	}
	if _, ok := d.cache.get(sha256.Sum256(a.Data)); ok {
		t.Error("cache kept more than cacheSize pictures")
	}
}

// CheckSelfie leaves the selfie's descriptor in the cache, so the match that follows it at the
// kiosk gives the same distance without a second network pass.
func TestCheckSelfieFeedsTheMatchCache(t *testing.T) {
	d := openTest(t)
	dir := facesDir(t)
	selfie := encode(t, loadImage(t, dir, goodSelfie, 640))
	ref := encode(t, loadImage(t, dir, "bona.jpg", 640))
	ctx := context.Background()
	want, _ := d.MatchFaces(ctx, sdk.MatchRequest{Probe: selfie, Reference: ref})
	d.cache = descCache{}
	if _, err := d.CheckSelfie(ctx, sdk.SelfieRequest{Image: selfie}); err != nil {
		t.Fatal(err)
	}
	c, ok := d.cache.get(sha256.Sum256(selfie.Data))
	if !ok || c.faces != 1 || c.qual <= 0 {
		t.Fatalf("selfie not cached by CheckSelfie: %+v %v", c, ok)
	}
	got, _ := d.MatchFaces(ctx, sdk.MatchRequest{Probe: selfie, Reference: ref})
	if got.Match == nil || want.Match == nil || got.Match.Distance != want.Match.Distance {
		t.Fatalf("distance from the cache %+v, computed %+v", got.Match, want.Match)
	}
}
