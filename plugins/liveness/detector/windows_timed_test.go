package detector

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/ehraz/ehraz/plugins/liveness/sequence"
	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/synth"
)

// holdsOf describes what the plugin held in a clip, for failure messages.
func holdsOf(d *Detector, c synth.Clip, req sdk.LivenessRequest) string {
	a, err := d.analyze(context.Background(), mustDecode(c), req)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%+v", sequence.Segment(a.obs, sequence.Defaults))
}

// A recording made for one timing of the numbers passes that timing and fails another timing of
// the same numbers: the replayed clip shows each number before it appears or outside its window.
func TestRecordingForAnotherTimingFails(t *testing.T) {
	d := ready(t)
	img, box := face(t, d, "bona.jpg")
	nums := []int{2, 5, 3}
	recorded := []sdk.Window{{StartMS: 400, EndMS: 2000}, {StartMS: 2500, EndMS: 3900}, {StartMS: 4600, EndMS: 6600}}
	asked := []sdk.Window{{StartMS: 1200, EndMS: 2600}, {StartMS: 2900, EndMS: 4800}, {StartMS: 5100, EndMS: 6500}}
	cl, err := synth.MakeClip(synth.ClipSpec{Face: img, FaceBox: box, Shown: nums, Kind: synth.Genuine, Seed: 7,
		Windows: recorded, ReactMS: 600, MinMS: 7000})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		windows []sdk.Window
		want    sdk.Outcome
		reasons []string
	}{
		{"its own timing passes", recorded, sdk.Pass, []string{"verdict.liveness.sequence.matched"}},
		{"another timing of the same numbers fails", asked, sdk.Fail, []string{"verdict.liveness.challenge.too_early", "verdict.liveness.challenge.out_of_window"}},
		{"without windows (protocol v1 before windows) the order decides", nil, sdk.Pass, []string{"verdict.liveness.sequence.matched"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := request(cl, nums)
			req.Challenge.Windows = c.windows
			v, err := d.CheckLiveness(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if v.Outcome != c.want || !slices.ContainsFunc(c.reasons, func(r string) bool { return slices.Contains(v.Reasons, r) }) {
				t.Fatalf("got %v %v, want %v with one of %v; holds %s", v.Outcome, v.Reasons, c.want, c.reasons, holdsOf(d, cl, req))
			}
		})
	}
}

// Windows that do not fit the numbers are refused before any frame is decoded.
func TestInvalidWindowsRefused(t *testing.T) {
	d := ready(t)
	fr := []sdk.Frame{{Image: sdk.Image{Data: []byte{1}}}}
	for _, ws := range [][]sdk.Window{
		{{StartMS: 0, EndMS: 1000}},                                // two numbers, one window
		{{StartMS: 0, EndMS: 1000}, {StartMS: 900, EndMS: 2000}},   // overlapping
		{{StartMS: 500, EndMS: 500}, {StartMS: 900, EndMS: 2000}},  // empty
		{{StartMS: -5, EndMS: 500}, {StartMS: 900, EndMS: 2000}},   // before the recording
		{{StartMS: 0, EndMS: 500}, {StartMS: 900, EndMS: 1 << 40}}, // far beyond any recording
	} {
		v, err := d.CheckLiveness(context.Background(), sdk.LivenessRequest{Frames: fr, Challenge: sdk.Challenge{Numbers: []int{2, 4}, Windows: ws}})
		if err != nil || v.Outcome != sdk.CouldNotVerify || !slices.Contains(v.Reasons, "verdict.liveness.challenge.invalid") {
			t.Errorf("windows %v: %v %v %v", ws, v.Outcome, v.Reasons, err)
		}
	}
}

// The video step's frame hints carry the live finger count: the number a hand shows, "not
// known" without a hand, and nothing for the other steps.
func TestAnalyzeFrameFingerCount(t *testing.T) {
	d := ready(t)
	img, box := face(t, d, "bona.jpg")
	cl, err := synth.MakeClip(synth.ClipSpec{Face: img, FaceBox: box, Shown: []int{3, 5}, Kind: synth.Genuine, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	noHand, err := synth.MakeClip(synth.ClipSpec{Face: img, FaceBox: box, Kind: synth.Genuine, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	at := func(c synth.Clip, label int) sdk.Image { return c.Frames[slices.Index(c.Labels, label)+6].Image }
	for _, c := range []struct {
		name    string
		img     sdk.Image
		purpose sdk.Purpose
		want    sdk.FingerCount
	}{
		{"three fingers", at(cl, 3), sdk.PurposeVideo, sdk.KnownFingers(3)},
		{"five fingers", at(cl, 5), sdk.PurposeVideo, sdk.KnownFingers(5)},
		{"no hand", noHand.Frames[10].Image, sdk.PurposeVideo, sdk.FingerCount{}},
		{"selfie step: not counted", at(cl, 3), sdk.PurposeSelfie, sdk.FingerCount{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := d.AnalyzeFrame(context.Background(), sdk.FrameRequest{Image: c.img, Purpose: c.purpose})
			if err != nil || a.Fingers != c.want {
				t.Fatalf("count %+v (err %v), want %+v", a.Fingers, err, c.want)
			}
		})
	}
}
