package transport

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/ehraz/ehraz/plugins/sdk"
	pb "github.com/ehraz/ehraz/plugins/sdk/transport/internal/detectorv1"
)

// wireMessage is one protocol message kind: a fresh message to unmarshal into, the round trip
// through the Go-native type (toPB(fromPB(m))), and what the conversion must keep.
type wireMessage struct {
	name  string
	fresh func() proto.Message
	round func(proto.Message) proto.Message
	check func(t *testing.T, m proto.Message)
}

// knownOutcomes are the outcomes protocol v1 defines; anything else off the wire is unknown.
var knownOutcomes = map[pb.Outcome]sdk.Outcome{
	pb.Outcome_OUTCOME_UNSPECIFIED:      sdk.OutcomeUnspecified,
	pb.Outcome_OUTCOME_PASS:             sdk.Pass,
	pb.Outcome_OUTCOME_FAIL:             sdk.Fail,
	pb.Outcome_OUTCOME_NEEDS_REVIEW:     sdk.NeedsReview,
	pb.Outcome_OUTCOME_COULD_NOT_VERIFY: sdk.CouldNotVerify,
}

// checkOutcome: a known wire outcome maps to its own Outcome; an unknown one arrives unspecified,
// which every consumer reads as CouldNotVerify (Effective) — never as a pass.
func checkOutcome(t *testing.T, what string, wire pb.Outcome, got sdk.Outcome) {
	t.Helper()
	want, known := knownOutcomes[wire]
	if !known {
		want = sdk.OutcomeUnspecified
	}
	if got != want {
		t.Fatalf("%s: wire outcome %d became %v, want %v", what, wire, got, want)
	}
	if (got == sdk.Pass || got.Effective() == sdk.Pass) != (wire == pb.Outcome_OUTCOME_PASS) {
		t.Fatalf("%s: wire outcome %d became %v (effective %v)", what, wire, got, got.Effective())
	}
	if !known && got.Effective() != sdk.CouldNotVerify {
		t.Fatalf("%s: unknown wire outcome %d is effectively %v, want could-not-verify", what, wire, got.Effective())
	}
}

func checkImage(t *testing.T, what string, wire *pb.Image, got sdk.Image) {
	t.Helper()
	if !bytes.Equal(got.Data, wire.GetData()) || got.Format != wire.GetFormat() ||
		got.Width != int(wire.GetWidth()) || got.Height != int(wire.GetHeight()) {
		t.Fatalf("%s: image %q %dx%d (%d bytes) became %q %dx%d (%d bytes)", what, wire.GetFormat(), wire.GetWidth(),
			wire.GetHeight(), len(wire.GetData()), got.Format, got.Width, got.Height, len(got.Data))
	}
}

var wireMessages = []wireMessage{
	{"Verdict", func() proto.Message { return &pb.Verdict{} },
		func(m proto.Message) proto.Message { return verdictToPB(verdictFromPB(m.(*pb.Verdict))) },
		func(t *testing.T, m proto.Message) {
			w := m.(*pb.Verdict)
			v := verdictFromPB(w)
			checkOutcome(t, "verdict", w.GetOutcome(), v.Outcome)
			if len(v.Rules) != len(w.GetRules()) || len(v.Artifacts) != len(w.GetArtifacts()) || len(v.Reasons) != len(w.GetReasons()) {
				t.Fatalf("verdict lost rules, artifacts or reasons: %+v from %v", v, w)
			}
			for i, r := range w.GetRules() {
				checkOutcome(t, "rule "+r.GetName(), r.GetOutcome(), v.Rules[i].Outcome)
			}
			for i, a := range w.GetArtifacts() {
				checkImage(t, "artifact "+a.GetName(), a.GetImage(), v.Artifacts[i].Image)
			}
		}},
	{"FrameAnalysis", func() proto.Message { return &pb.FrameAnalysis{} },
		func(m proto.Message) proto.Message {
			return frameAnalysisToPB(frameAnalysisFromPB(m.(*pb.FrameAnalysis)))
		},
		func(t *testing.T, m proto.Message) {
			w := m.(*pb.FrameAnalysis)
			a := frameAnalysisFromPB(w)
			if a.Ready != w.GetReady() || len(a.Hints) != len(w.GetHints()) || len(a.Boxes) != len(w.GetBoxes()) || len(a.Measures) != len(w.GetMeasures()) {
				t.Fatalf("frame analysis %+v from %v", a, w)
			}
		}},
	{"InfoResponse", func() proto.Message { return &pb.InfoResponse{} },
		func(m proto.Message) proto.Message { return infoToPB(infoFromPB(m.(*pb.InfoResponse))) },
		func(t *testing.T, m proto.Message) {
			w := m.(*pb.InfoResponse)
			i := infoFromPB(w)
			if i.ProtocolVersion != int(w.GetProtocolVersion()) || len(i.Kinds) != len(w.GetKinds()) || len(i.Capabilities) != len(w.GetCapabilities()) {
				t.Fatalf("info %+v from %v", i, w)
			}
		}},
	{"FrameRequest", func() proto.Message { return &pb.FrameRequest{} },
		func(m proto.Message) proto.Message { return frameRequestToPB(frameRequestFromPB(m.(*pb.FrameRequest))) },
		func(t *testing.T, m proto.Message) {
			w := m.(*pb.FrameRequest)
			checkImage(t, "frame request", w.GetImage(), frameRequestFromPB(w).Image)
		}},
	{"SelfieRequest", func() proto.Message { return &pb.SelfieRequest{} },
		func(m proto.Message) proto.Message { return selfieToPB(selfieFromPB(m.(*pb.SelfieRequest))) },
		func(t *testing.T, m proto.Message) {
			w := m.(*pb.SelfieRequest)
			checkImage(t, "selfie", w.GetImage(), selfieFromPB(w).Image)
		}},
	{"MatchRequest", func() proto.Message { return &pb.MatchRequest{} },
		func(m proto.Message) proto.Message { return matchToPB(matchFromPB(m.(*pb.MatchRequest))) },
		func(t *testing.T, m proto.Message) {
			w := m.(*pb.MatchRequest)
			r := matchFromPB(w)
			checkImage(t, "probe", w.GetProbe(), r.Probe)
			checkImage(t, "reference", w.GetReference(), r.Reference)
		}},
	{"SignatureRequest", func() proto.Message { return &pb.SignatureRequest{} },
		func(m proto.Message) proto.Message { return signatureToPB(signatureFromPB(m.(*pb.SignatureRequest))) },
		func(t *testing.T, m proto.Message) {
			w := m.(*pb.SignatureRequest)
			checkImage(t, "signature", w.GetImage(), signatureFromPB(w).Image)
		}},
	{"LivenessRequest", func() proto.Message { return &pb.LivenessRequest{} },
		func(m proto.Message) proto.Message { return livenessToPB(livenessFromPB(m.(*pb.LivenessRequest))) },
		func(t *testing.T, m proto.Message) {
			w := m.(*pb.LivenessRequest)
			r := livenessFromPB(w)
			if len(r.Frames) != len(w.GetFrames()) || len(r.Challenge.Numbers) != len(w.GetChallenge().GetNumbers()) {
				t.Fatalf("liveness request lost frames or numbers: %d/%d frames", len(r.Frames), len(w.GetFrames()))
			}
			for i, n := range w.GetChallenge().GetNumbers() {
				if r.Challenge.Numbers[i] != int(n) {
					t.Fatalf("challenge number %d became %d", n, r.Challenge.Numbers[i])
				}
			}
			for i, f := range w.GetFrames() {
				checkImage(t, "frame", f.GetImage(), r.Frames[i].Image)
			}
		}},
}

// FuzzWireMessages: any bytes off the wire, read as each protocol message, convert to the
// Go-native types without panicking and without losing an item; an unknown outcome never
// passes; and toPB∘fromPB is a projection — a second round trip changes nothing (deterministic
// wire bytes compared, so NaN scores count as equal). Run longer with
// go test -run '^$' -fuzz FuzzWireMessages ./plugins/sdk/transport.
func FuzzWireMessages(f *testing.F) {
	img := &pb.Image{Data: []byte("\xff\xd8\xff\xd9"), Format: "jpeg", Width: 640, Height: 480}
	for _, m := range []proto.Message{
		&pb.Verdict{Outcome: pb.Outcome_OUTCOME_PASS, Reasons: []string{"verdict.face.ok"}, Score: 0.9, DurationNs: 5,
			Rules:     []*pb.Rule{{Name: "face.count", Outcome: pb.Outcome_OUTCOME_FAIL, Reason: "x", Value: 2, Threshold: 1, Unit: "px"}},
			Artifacts: []*pb.Artifact{{Name: "liveness.keyframe", Image: img, TimestampMs: 66}}},
		&pb.Verdict{Outcome: pb.Outcome(42), Rules: []*pb.Rule{{Outcome: pb.Outcome(-1)}}},
		&pb.FrameAnalysis{Ready: true, Hints: []*pb.Hint{{Key: "hint.face.no_face", Severity: 2}}, Boxes: []*pb.Rect{{X: 0.1, W: 0.5}},
			Measures: map[string]float64{"faces": 1, "light": 80}},
		&pb.InfoResponse{Name: "face", ProtocolVersion: 1, Kinds: []string{"face"}, Capabilities: []string{"CheckSelfie"}},
		&pb.MatchRequest{Probe: img, Reference: img},
		&pb.LivenessRequest{Frames: []*pb.Frame{{Image: img, TimestampMs: 33}, {}}, Challenge: &pb.Challenge{Numbers: []int32{1, 5, 3}, ShownAtMs: 100},
			Guide: &pb.Rect{X: 0.2, Y: 0.1, W: 0.6, H: 0.8}},
	} {
		b, err := proto.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte("\x08\x2a\x12\x00")) // outcome 42, empty reason
	f.Add([]byte("\xff\xff\xff\xff"))
	det := proto.MarshalOptions{Deterministic: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, wm := range wireMessages {
			m := wm.fresh()
			if proto.Unmarshal(data, m) != nil {
				continue
			}
			wm.check(t, m)
			once := wm.round(m)
			twice := wm.round(once)
			a, errA := det.Marshal(once)
			b, errB := det.Marshal(twice)
			if errA != nil || errB != nil || !bytes.Equal(a, b) {
				t.Fatalf("%s: round trip is not stable (%v, %v):\n%v\n%v", wm.name, errA, errB, once, twice)
			}
		}
	})
}
