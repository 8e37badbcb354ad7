package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Pin writes the manifest the host reads, byte for byte in the format `make plugins` has always
// written: one line of JSON, name, kinds, binary, sha256.
func TestPinWritesManifestTheHostReads(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "signature")
	body := []byte("#!/bin/sh\necho not really a plugin\n")
	if err := os.WriteFile(bin, body, 0o755); err != nil {
		t.Fatal(err)
	}
	m, err := Pin(bin, "", []sdk.Kind{sdk.KindSignature})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	want := Manifest{Name: "signature", Kinds: []sdk.Kind{sdk.KindSignature}, Binary: "signature", SHA256: hex.EncodeToString(sum[:])}
	if fmt.Sprint(m) != fmt.Sprint(want) {
		t.Fatalf("Pin returned %+v, want %+v", m, want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "signature.json"))
	if err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf(`{"name":"%s","kinds":["%s"],"binary":"%s","sha256":"%s"}`+"\n", "signature", "signature", "signature", want.SHA256)
	if string(b) != line {
		t.Fatalf("manifest file\n%s want\n%s", b, line)
	}
	got, err := LoadManifests(dir)
	if err != nil || len(got) != 1 || fmt.Sprint(got[0]) != fmt.Sprint(want) {
		t.Fatalf("LoadManifests after Pin: %+v, %v", got, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}

	// Re-pinning a changed binary replaces the manifest; a name and several kinds are kept.
	if err := os.WriteFile(bin, append(body, '#'), 0o755); err != nil {
		t.Fatal(err)
	}
	m2, err := Pin(bin, "vendor", []sdk.Kind{sdk.KindFace, sdk.KindSignature})
	if err != nil || m2.SHA256 == m.SHA256 || m2.Name != "vendor" || m2.Binary != "signature" || len(m2.Kinds) != 2 {
		t.Fatalf("re-pin: %+v, %v", m2, err)
	}
	if got, err := LoadManifests(dir); err != nil || len(got) != 2 || got[1].Name != "vendor" || got[1].SHA256 != m2.SHA256 {
		t.Fatalf("LoadManifests after re-pin: %+v, %v", got, err)
	}
}

// Pin writes nothing the host would refuse: a missing binary, no kinds, an unknown kind or a
// name that is not a file name is an error and leaves no manifest.
func TestPinRefusesWhatTheHostWouldRefuse(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "face")
	if err := os.WriteFile(bin, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, pin string
		kinds           []sdk.Kind
		want            string
	}{
		{"missing binary", filepath.Join(dir, "absent"), "", []sdk.Kind{sdk.KindFace}, "open binary"},
		{"no kinds", bin, "", nil, "no kinds"},
		{"unknown kind", bin, "", []sdk.Kind{"iris"}, `unknown kind "iris"`},
		{"name with a slash", bin, "../face", []sdk.Kind{sdk.KindFace}, "file name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Pin(tc.path, tc.pin, tc.kinds); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Pin: %v; want an error containing %q", err, tc.want)
			}
			if ms, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(ms) != 0 {
				t.Fatalf("manifests written: %v", ms)
			}
		})
	}
}
