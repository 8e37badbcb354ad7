package conformance

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/internal/testplugins"
)

func buildFixture(tb testing.TB, name string) string {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", out, "github.com/ehraz/ehraz/plugins/sdk/internal/testplugins/"+name)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("build fixture %s: %v", name, err)
	}
	return out
}

func TestGoodPluginConformsOverGRPC(t *testing.T) {
	Run(t, buildFixture(t, "good"))
}

func TestGoodPluginConformsInProcess(t *testing.T) {
	if raceDetector {
		// Under the race detector the fixture's image decoding runs instrumented too: over a
		// hundred decodes of the shared photos (up to 1920×1080) took minutes of CI and check
		// nothing of the kit. The kit's own code still runs under the detector on every path:
		// here on the synthetic images, and on the shared photos in
		// TestGoodPluginConformsOverGRPC, whose plugin decodes in its own, uninstrumented process.
		t.Setenv("SHARED", t.TempDir())
	}
	RunImpl(t, testplugins.Good{Name: "good"})
}

// The kit must catch a broken plugin, else it proves nothing.
func TestGarbagePluginFailsConformance(t *testing.T) {
	r, stop, err := Start(buildFixture(t, "garbage"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	rep := Check(context.Background(), r)
	failed := map[string]bool{}
	for _, x := range rep.Results {
		if !x.OK {
			failed[x.Rule] = true
		}
	}
	for _, rule := range []string{"CheckSelfie.good_input", "CheckSelfie.bad_input.corrupt", "MatchFaces.bad_input.empty"} {
		if !failed[rule] {
			t.Errorf("rule %s passed for the garbage plugin", rule)
		}
	}
	// Undeclared methods of a real SDK plugin answer could-not-verify: these rules pass.
	for _, rule := range []string{"CheckSignature.undeclared_is_cnv", "CheckLiveness.undeclared_is_cnv", "AnalyzeFrame.undeclared_is_error"} {
		if failed[rule] {
			t.Errorf("rule %s failed; the SDK should answer undeclared methods", rule)
		}
	}
}

// BenchmarkAnalyzeFrame compares a 640×480 JPEG AnalyzeFrame through a real plugin process
// (go-plugin gRPC with AutoMTLS, as the host uses it) with the same impl called in-process.
func BenchmarkAnalyzeFrame(b *testing.B) {
	req := sdk.FrameRequest{Image: SyntheticJPEG(640, 480), Purpose: sdk.PurposeSelfie}
	ctx := context.Background()
	b.Run("in-process", func(b *testing.B) {
		impl := testplugins.Good{Name: "good"}
		for b.Loop() {
			if _, err := impl.AnalyzeFrame(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plugin", func(b *testing.B) {
		r, stop, err := Start(buildFixture(b, "good"), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer stop()
		for b.Loop() {
			if _, err := r.AnalyzeFrame(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The report lists every locale key the plugin emitted, so `ehrazctl plugin check` can ask for
// their texts. The keys come over gRPC from the plugin binary, as that command gets them (and the
// binary is not instrumented under -race: the in-process suite above already ran the kit's own
// code under the detector).
func TestReportListsEmittedKeys(t *testing.T) {
	t.Setenv("SHARED", t.TempDir()) // the synthetic images will do: the keys do not depend on the photos
	r, stop, err := Start(buildFixture(t, "good"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	rep := Check(context.Background(), r)
	for _, k := range []string{"verdict.plugin.fixture_ok", "verdict.plugin.image_invalid", "plugin.hint.image_invalid"} {
		if !slices.Contains(rep.Keys, k) {
			t.Errorf("key %s missing from %v", k, rep.Keys)
		}
	}
	if !slices.IsSorted(rep.Keys) || slices.Contains(rep.Keys, "") {
		t.Errorf("keys not sorted or with an empty one: %v", rep.Keys)
	}
}
