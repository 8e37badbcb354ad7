package detect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/conformance"
)

// fixtureBin holds the fixture plugin binaries built once by TestMain.
var fixtureBin string

func TestMain(m *testing.M) {
	// EHRAZ_DETECT_FIXTURES names a folder of fixtures built already (the plugins below and the
	// launcher), for running the compiled tests as a user who cannot build, e.g. the hostile test
	// as an unprivileged kiosk: go test -c, then setpriv --reuid=65534 … ./detect.test.
	if d := os.Getenv("EHRAZ_DETECT_FIXTURES"); d != "" {
		fixtureBin = d
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "ehraz-detect-fixtures")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, n := range []string{"good", "crash", "hang", "garbage", "hostile"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, n), "github.com/ehraz/ehraz/plugins/sdk/internal/testplugins/"+n)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "build fixture plugin %s: %v\n", n, err)
			os.Exit(1)
		}
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, launcherName), "github.com/ehraz/ehraz/cmd/ehraz-sandbox")
	cmd.Env, cmd.Stderr = append(os.Environ(), "CGO_ENABLED=0"), os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build the sandbox launcher: %v\n", err)
		os.Exit(1)
	}
	fixtureBin = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// install copies fixture plugin src into dir as name and pins it (writes its manifest).
func install(t *testing.T, dir, src, name string, kinds ...sdk.Kind) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureBin, src))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Pin(filepath.Join(dir, name), name, kinds); err != nil {
		t.Fatal(err)
	}
}

func writeManifest(t *testing.T, dir string, m Manifest) {
	t.Helper()
	b, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, m.Name+".json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sandboxed points cfg at the launcher TestMain built (the test binary has none beside it).
func sandboxed(cfg Config) Config {
	if cfg.Sandbox.Launcher == "" {
		cfg.Sandbox.Launcher = filepath.Join(fixtureBin, launcherName)
	}
	return cfg
}

func open(t *testing.T, dir string, cfg Config) *Host {
	t.Helper()
	cfg.Dir = dir
	h, err := Open(context.Background(), sandboxed(cfg))
	if err != nil {
		t.Fatalf("open host: %v", err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func healthOf(h *Host, name string) Health {
	for _, x := range h.Health() {
		if x.Name == name {
			return x
		}
	}
	return Health{}
}

func waitUp(t *testing.T, h *Host, name string, minRestarts int) Health {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if x := healthOf(h, name); x.State == StateUp && x.Restarts >= minRestarts {
			return x
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("plugin %s not up with %d restarts: %+v", name, minRestarts, healthOf(h, name))
	return Health{}
}

func wantCNV(t *testing.T, v sdk.Verdict, err error, reason string) {
	t.Helper()
	if err != nil {
		t.Fatalf("host returned error %v; want a verdict", err)
	}
	if v.Outcome != sdk.CouldNotVerify || len(v.Reasons) == 0 || v.Reasons[0] != reason {
		t.Fatalf("verdict %v %v; want could-not-verify %s", v.Outcome, v.Reasons, reason)
	}
}

func TestGoodPluginAnswers(t *testing.T) {
	dir := t.TempDir()
	install(t, dir, "good", "face", sdk.KindFace, sdk.KindSignature)
	h := open(t, dir, Config{})
	img := conformance.SyntheticJPEG(640, 480)
	v, err := h.CheckSelfie(context.Background(), sdk.SelfieRequest{Image: img})
	if err != nil || v.Outcome != sdk.Pass || len(v.Rules) != 1 || v.Rules[0].Value <= 0 {
		t.Fatalf("good selfie: %+v %v", v, err)
	}
	v, _ = h.CheckSignature(context.Background(), sdk.SignatureRequest{Image: sdk.Image{Data: []byte("junk"), Format: "jpeg"}})
	if v.Outcome != sdk.Fail {
		t.Fatalf("junk signature: %v; want fail", v.Outcome)
	}
	a, err := h.AnalyzeFrame(context.Background(), sdk.FrameRequest{Image: img, Purpose: sdk.PurposeSelfie})
	if err != nil || a.Measures["brightness"] <= 0 {
		t.Fatalf("analyze frame: %+v %v", a, err)
	}
	// No liveness plugin installed: honest could-not-verify, not a pass.
	v, err = h.CheckLiveness(context.Background(), sdk.LivenessRequest{})
	wantCNV(t, v, err, ReasonMissing)
	x := healthOf(h, "face")
	if x.State != StateUp || x.PID == 0 || x.Info.Name != "good" || x.LastLatency <= 0 {
		t.Fatalf("health: %+v", x)
	}
}

func TestKillMidCallRecovers(t *testing.T) {
	dir := t.TempDir()
	install(t, dir, "good", "face", sdk.KindFace)
	// The host's own environment never reaches a plugin: the variable goes through the allow-list.
	h := open(t, dir, Config{MinBackoff: 100 * time.Millisecond,
		Sandbox: SandboxConfig{Env: []string{"EHRAZ_FIXTURE_SLOW_MS=1500"}}})
	pid := healthOf(h, "face").PID
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}()
	start := time.Now()
	v, err := h.CheckSelfie(context.Background(), sdk.SelfieRequest{Image: conformance.SyntheticJPEG(64, 48)})
	wantCNV(t, v, err, ReasonUnavailable)
	if d := time.Since(start); d > 1400*time.Millisecond {
		t.Fatalf("caller waited %s for a dead plugin; want it back right after the kill", d)
	}
	x := waitUp(t, h, "face", 1)
	if x.PID == pid || x.PID == 0 {
		t.Fatalf("plugin not restarted as a new process: old pid %d, now %+v", pid, x)
	}
	v, err = h.CheckSelfie(context.Background(), sdk.SelfieRequest{Image: conformance.SyntheticJPEG(64, 48)})
	if err != nil || v.Outcome != sdk.Pass {
		t.Fatalf("call after restart: %v %v", v.Outcome, err)
	}
}

func TestCrashingPluginIsCouldNotVerify(t *testing.T) {
	dir := t.TempDir()
	install(t, dir, "crash", "sig", sdk.KindSignature)
	h := open(t, dir, Config{MinBackoff: 50 * time.Millisecond})
	v, err := h.CheckSignature(context.Background(), sdk.SignatureRequest{Image: conformance.SyntheticPNG(200, 100)})
	wantCNV(t, v, err, ReasonUnavailable)
	waitUp(t, h, "sig", 1)
}

func TestHungPluginTimesOut(t *testing.T) {
	dir := t.TempDir()
	install(t, dir, "hang", "live", sdk.KindLiveness)
	h := open(t, dir, Config{LivenessTimeout: 400 * time.Millisecond, MinBackoff: 50 * time.Millisecond})
	start := time.Now()
	v, err := h.CheckLiveness(context.Background(), sdk.LivenessRequest{})
	wantCNV(t, v, err, ReasonTimeout)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("timeout took %s; deadline was 400ms", d)
	}
	waitUp(t, h, "live", 1) // the hung process was killed and replaced
}

func TestGarbageAnswersAreNeverPass(t *testing.T) {
	dir := t.TempDir()
	install(t, dir, "garbage", "face", sdk.KindFace)
	h := open(t, dir, Config{})
	v, err := h.CheckSelfie(context.Background(), sdk.SelfieRequest{})
	wantCNV(t, v, err, ReasonInvalidAnswer)
	v, err = h.MatchFaces(context.Background(), sdk.MatchRequest{})
	wantCNV(t, v, err, ReasonInvalidAnswer)
	// Declared kind face but no AnalyzeFrame: the SDK answers unimplemented, the host an error.
	if _, err := h.AnalyzeFrame(context.Background(), sdk.FrameRequest{Purpose: sdk.PurposeSelfie}); err == nil {
		t.Fatal("AnalyzeFrame on a plugin without it: want an error")
	}
}

func TestTamperedBinaryRefused(t *testing.T) {
	dir := t.TempDir()
	install(t, dir, "good", "face", sdk.KindFace)
	f, err := os.OpenFile(filepath.Join(dir, "face"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("tampered"))
	f.Close()
	h, err := Open(context.Background(), sandboxed(Config{Dir: dir}))
	if err == nil || !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), `plugin "face" REFUSED`) {
		t.Fatalf("open with tampered binary: %v; want a checksum refusal naming the plugin", err)
	}
	defer h.Close()
	x := healthOf(h, "face")
	if x.State != StateDown || x.PID != 0 || !strings.Contains(x.LastError, "checksum mismatch") {
		t.Fatalf("health of tampered plugin: %+v", x)
	}
	v, err := h.CheckSelfie(context.Background(), sdk.SelfieRequest{Image: conformance.SyntheticJPEG(64, 48)})
	wantCNV(t, v, err, ReasonUnavailable)
}

func TestOnlyManifestedBinariesStart(t *testing.T) {
	dir := t.TempDir()
	install(t, dir, "good", "face", sdk.KindFace)
	b, _ := os.ReadFile(filepath.Join(fixtureBin, "good"))
	if err := os.WriteFile(filepath.Join(dir, "stray"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	h := open(t, dir, Config{})
	if hs := h.Health(); len(hs) != 1 || hs[0].Name != "face" {
		t.Fatalf("health lists %+v; want only the manifested plugin", hs)
	}
	out, _ := exec.Command("pgrep", "-f", filepath.Join(dir, "stray")).Output()
	if len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("stray binary is running: %s", out)
	}
}

func TestManifestValidation(t *testing.T) {
	sum := strings.Repeat("a", 64)
	for _, tc := range []struct {
		name string
		m    Manifest
	}{
		{"path escape", Manifest{Name: "x", Kinds: []sdk.Kind{sdk.KindFace}, Binary: "../x", SHA256: sum}},
		{"absolute", Manifest{Name: "x", Kinds: []sdk.Kind{sdk.KindFace}, Binary: "/bin/sh", SHA256: sum}},
		{"no sum", Manifest{Name: "x", Kinds: []sdk.Kind{sdk.KindFace}, Binary: "x"}},
		{"bad kind", Manifest{Name: "x", Kinds: []sdk.Kind{"iris"}, Binary: "x", SHA256: sum}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeManifest(t, dir, tc.m)
			if _, err := LoadManifests(dir); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}
