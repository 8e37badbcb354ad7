package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/app/detect"
	"github.com/ehraz/ehraz/locales"
	"github.com/ehraz/ehraz/plugins/sdk"
)

func TestPluginPinCommand(t *testing.T) {
	ctl := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"--lang", "en"}, args...), strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	dir := t.TempDir()
	body := []byte("not a real plugin, only hashed")
	for _, n := range []string{"signature", "stray"} {
		if err := os.WriteFile(filepath.Join(dir, n), body, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sum := sha256.Sum256(body)

	// Default: named after the binary, serving the kind of the same name, as `make plugins` pins.
	code, out, errs := ctl("plugin", "pin", filepath.Join(dir, "signature"))
	if code != exitOK || !strings.Contains(out, hex.EncodeToString(sum[:])) {
		t.Fatalf("plugin pin: exit %d, %q %q", code, out, errs)
	}
	ms, err := detect.LoadManifests(dir)
	if err != nil || len(ms) != 1 || ms[0].Name != "signature" || ms[0].Binary != "signature" ||
		!slices.Equal(ms[0].Kinds, []sdk.Kind{sdk.KindSignature}) || ms[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("manifests after pin: %+v, %v", ms, err)
	}

	// A binary whose name is no kind needs -kinds; without it nothing is written.
	if code, _, errs := ctl("plugin", "pin", filepath.Join(dir, "stray")); code != exitInvalid || !strings.Contains(errs, "unknown kind") {
		t.Errorf("pin stray: exit %d, %q", code, errs)
	}
	if code, _, errs := ctl("plugin", "pin", "-name", "vendor", "-kinds", "face, liveness", filepath.Join(dir, "stray")); code != exitOK {
		t.Errorf("pin -kinds: exit %d, %q", code, errs)
	}
	ms, err = detect.LoadManifests(dir)
	if err != nil || len(ms) != 2 || ms[1].Name != "vendor" || ms[1].Binary != "stray" ||
		!slices.Equal(ms[1].Kinds, []sdk.Kind{sdk.KindFace, sdk.KindLiveness}) {
		t.Fatalf("manifests after pin -kinds: %+v, %v", ms, err)
	}

	for _, args := range [][]string{{"plugin"}, {"plugin", "pin"}, {"plugin", "pin", "a", "b"},
		{"plugin", "pin", "-info", "-kinds", "face", "x"}, {"plugin", "check"}} {
		if code, _, _ := ctl(args...); code != exitUsage {
			t.Errorf("%v: exit %d, want usage", args, code)
		}
	}
}

// -info takes the kinds from the plugin itself, over the protocol.
func TestPluginPinAsksThePlugin(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "good")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/ehraz/ehraz/plugins/sdk/internal/testplugins/good")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build fixture plugin: %v", err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"plugin", "pin", "-info", bin}, strings.NewReader(""), &out, &errb); code != exitOK {
		t.Fatalf("plugin pin -info: exit %d: %s", code, errb.String())
	}
	ms, err := detect.LoadManifests(dir)
	if err != nil || len(ms) != 1 || ms[0].Name != "good" ||
		!slices.Equal(ms[0].Kinds, []sdk.Kind{sdk.KindFace, sdk.KindSignature}) {
		t.Fatalf("manifests after pin -info: %+v, %v", ms, err)
	}
	// sign -info takes kinds, version and capabilities from the plugin, whatever its file name.
	key := filepath.Join(t.TempDir(), "k")
	if _, err := detect.GenerateKey(key); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run(context.Background(), []string{"plugin", "sign", "-key", key + ".key", "-info", bin}, strings.NewReader(""), &out, &errb); code != exitOK {
		t.Fatalf("plugin sign -info: exit %d: %s", code, errb.String())
	}
	ms, err = detect.LoadManifests(dir)
	if err != nil || len(ms) != 1 || ms[0].Version != "0.0.1" || len(ms[0].Capabilities) != 4 ||
		!slices.Equal(ms[0].Kinds, []sdk.Kind{sdk.KindFace, sdk.KindSignature}) || ms[0].Signature == "" {
		t.Fatalf("manifest after sign -info: %+v, %v", ms, err)
	}
}

// keygen then sign: the manifest carries the fields given and verifies under the public key;
// signing with a missing key or without -key writes nothing.
func TestPluginSignCommand(t *testing.T) {
	ctl := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"--lang", "en"}, args...), strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "face")
	if err := os.WriteFile(bin, []byte("not a real plugin, only hashed"), 0o755); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(t.TempDir(), "keys", "plugin-signing")
	if code, out, errs := ctl("plugin", "keygen", "-out", key); code != exitOK || !strings.Contains(out, key+".pub") {
		t.Fatalf("keygen: exit %d %q %q", code, out, errs)
	}
	if code, _, _ := ctl("plugin", "keygen", "-out", key); code != exitInvalid {
		t.Errorf("keygen over an existing key: exit %d, want refusal", code)
	}
	if code, _, errs := ctl("plugin", "sign", "-key", key+".missing", bin); code != exitInvalid || !strings.Contains(errs, "plugin key") {
		t.Errorf("sign with a missing key: exit %d %q", code, errs)
	}
	if ms, _ := detect.LoadManifests(dir); len(ms) != 0 {
		t.Fatalf("a failed sign wrote %+v", ms)
	}
	code, out, errs := ctl("plugin", "sign", "-key", key+".key", "-version", "1.2.0", "-capabilities", "CheckSelfie, MatchFaces", bin)
	if code != exitOK || !strings.Contains(out, "signed plugin face 1.2.0") {
		t.Fatalf("sign: exit %d %q %q", code, out, errs)
	}
	pub, err := detect.LoadPublicKey(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := detect.LoadManifests(dir)
	if err != nil || len(ms) != 1 || ms[0].Version != "1.2.0" || !slices.Equal(ms[0].Capabilities, []string{"CheckSelfie", "MatchFaces"}) ||
		!slices.Equal(ms[0].Kinds, []sdk.Kind{sdk.KindFace}) || ms[0].Signer != detect.KeyID(pub) {
		t.Fatalf("signed manifest: %+v %v", ms, err)
	}
	if err := ms[0].VerifySignature([]ed25519.PublicKey{pub}); err != nil {
		t.Fatalf("signed manifest does not verify: %v", err)
	}
	for _, args := range [][]string{{"plugin", "sign", bin}, {"plugin", "sign", "-key", key + ".key"},
		{"plugin", "sign", "-key", key + ".key", "-info", "-version", "1", bin}, {"plugin", "keygen"}} {
		if code, _, _ := ctl(args...); code != exitUsage {
			t.Errorf("%v: exit %d, want usage", args, code)
		}
	}
}

// plugin check asks for fa and en text of every emitted key, from the kiosk or the plugin's own
// texts, and refuses a plugin text that redefines a kiosk key.
func TestPluginCheckTexts(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{lang: "en", cat: cat}
	dir := t.TempDir()
	td := detect.TextsDir(dir, "acme")
	os.MkdirAll(td, 0o755)
	os.WriteFile(filepath.Join(td, "fa.json"), []byte(`{"verdict.acme.glare":"بازتاب نور","verdict.plugin.fixture_ok":"x"}`), 0o644)
	os.WriteFile(filepath.Join(td, "en.json"), []byte(`{"verdict.acme.glare":"Glare","verdict.plugin.fixture_ok":"x"}`), 0o644)
	got := map[string]bool{}
	for _, r := range textResults(e, filepath.Join(dir, "acme"), []string{"verdict.plugin.image_invalid", "verdict.acme.glare", "verdict.acme.missing"}) {
		got[r.Rule] = r.OK
	}
	want := map[string]bool{"text.verdict.plugin.image_invalid": true, "text.verdict.acme.glare": true,
		"text.verdict.acme.missing": false, "text.redefined.verdict.plugin.fixture_ok": false}
	if !maps.Equal(got, want) {
		t.Fatalf("text rules %v; want %v", got, want)
	}
	os.Remove(filepath.Join(td, "en.json"))
	if rs := textResults(e, filepath.Join(dir, "acme"), nil); len(rs) != 1 || rs[0].OK || rs[0].Rule != "texts.files" {
		t.Fatalf("missing en.json: %+v", rs)
	}
}
