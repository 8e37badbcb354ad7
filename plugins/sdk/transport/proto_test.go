package transport

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// The .proto package name and its protocol_version marker must match ProtocolVersion.
func TestProtocolVersionMatchesProto(t *testing.T) {
	b, err := os.ReadFile("../proto/ehraz/detector/v1/detector.proto")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^package ehraz\.detector\.v(\d+);`).FindSubmatch(b)
	mk := regexp.MustCompile(`(?m)^// protocol_version: (\d+)`).FindSubmatch(b)
	if m == nil || mk == nil {
		t.Fatal("proto lacks package ehraz.detector.vN or the protocol_version marker")
	}
	pkg, _ := strconv.Atoi(string(m[1]))
	marker, _ := strconv.Atoi(string(mk[1]))
	if pkg != sdk.ProtocolVersion || marker != sdk.ProtocolVersion || Handshake.ProtocolVersion != sdk.ProtocolVersion {
		t.Fatalf("proto package v%d marker %d handshake %d, ProtocolVersion %d", pkg, marker, Handshake.ProtocolVersion, sdk.ProtocolVersion)
	}
	if _, ok := VersionedPlugins(nil)[sdk.ProtocolVersion]; !ok {
		t.Fatal("VersionedPlugins lacks the current protocol version")
	}
}

// Round trip through the wire types keeps every field; an unknown outcome arrives unspecified.
func TestVerdictRoundTrip(t *testing.T) {
	v := sdk.Verdict{Outcome: sdk.NeedsReview, Reasons: []string{"a", "b"}, Score: 0.5, Duration: 7,
		Rules:     []sdk.Rule{{Name: "r", Outcome: sdk.Fail, Reason: "x", Value: 1, Threshold: 2, Unit: "px"}},
		Artifacts: []sdk.Artifact{{Name: "k", Image: sdk.Image{Data: []byte{1}, Format: "png", Width: 3, Height: 4}, TimestampMS: 9}}}
	got := verdictFromPB(verdictToPB(v))
	if got.Outcome != v.Outcome || len(got.Reasons) != 2 || got.Rules[0] != v.Rules[0] || got.Artifacts[0].Image.Width != 3 || got.Duration != 7 || got.Score != 0.5 {
		t.Fatalf("round trip: %+v", got)
	}
	m := sdk.MatchScore{Distance: 0.41, EstimatedFMR: 0.03, Calibration: "reference@0123456789ab"}
	if got := verdictFromPB(verdictToPB(sdk.Verdict{Match: &m})).Match; got == nil || *got != m {
		t.Fatalf("match round trip: %+v", got)
	}
	if got := verdictFromPB(verdictToPB(sdk.Verdict{})).Match; got != nil {
		t.Fatalf("a verdict without a match score arrived with %+v", got)
	}
	if o := verdictFromPB(verdictToPB(sdk.Verdict{Outcome: sdk.Outcome(42)})).Outcome; o.Effective() != sdk.CouldNotVerify {
		t.Fatalf("unknown outcome became %v", o)
	}
	lr := livenessFromPB(livenessToPB(sdk.LivenessRequest{Frames: []sdk.Frame{{TimestampMS: 5}}, Challenge: sdk.Challenge{Numbers: []int{3, 1}, ShownAtMS: 2}}))
	if len(lr.Frames) != 1 || lr.Frames[0].TimestampMS != 5 || lr.Challenge.Numbers[1] != 1 || lr.Challenge.ShownAtMS != 2 {
		t.Fatalf("liveness round trip: %+v", lr)
	}
}
