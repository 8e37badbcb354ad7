package detect

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/conformance"
)

func newKey(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func TestManifestSignature(t *testing.T) {
	pub, priv := newKey(t)
	otherPub, otherPriv := newKey(t)
	base := Manifest{Name: "face", Kinds: []sdk.Kind{sdk.KindFace}, Binary: "face", SHA256: strings.Repeat("ab", 32),
		Version: "1.0", Capabilities: []string{"CheckSelfie"}}
	signed, err := Sign(base, priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := signed.VerifySignature([]ed25519.PublicKey{otherPub, pub}); err != nil {
		t.Fatalf("signed manifest refused: %v", err)
	}
	byOther, _ := Sign(base, otherPriv)
	for _, tc := range []struct {
		name  string
		m     func() Manifest
		trust []ed25519.PublicKey
	}{
		{"unsigned", func() Manifest { return base }, []ed25519.PublicKey{pub}},
		{"untrusted signer", func() Manifest { return byOther }, []ed25519.PublicKey{pub}},
		{"other binary", func() Manifest { m := signed; m.SHA256 = strings.Repeat("cd", 32); return m }, []ed25519.PublicKey{pub}},
		{"more kinds", func() Manifest {
			m := signed
			m.Kinds = []sdk.Kind{sdk.KindFace, sdk.KindLiveness}
			return m
		}, []ed25519.PublicKey{pub}},
		{"more capabilities", func() Manifest {
			m := signed
			m.Capabilities = []string{"CheckSelfie", "MatchFaces"}
			return m
		}, []ed25519.PublicKey{pub}},
		{"other version", func() Manifest { m := signed; m.Version = "2.0"; return m }, []ed25519.PublicKey{pub}},
		{"signer relabelled", func() Manifest { m := byOther; m.Signer = KeyID(pub); return m }, []ed25519.PublicKey{pub}},
		{"no keys", func() Manifest { return signed }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.m().VerifySignature(tc.trust); !errors.Is(err, ErrSignature) {
				t.Fatalf("got %v; want ErrSignature", err)
			}
		})
	}
}

func TestKeyFiles(t *testing.T) {
	base := filepath.Join(t.TempDir(), "keys", "plugin-signing")
	pub, err := GenerateKey(base)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(base + ".key"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key file: %v %v", fi, err)
	}
	priv, err := LoadPrivateKey(base + ".key")
	if err != nil {
		t.Fatal(err)
	}
	pub2, err := LoadPublicKey(base + ".pub")
	if err != nil || !pub.Equal(pub2) || !pub.Equal(priv.Public()) {
		t.Fatalf("key files do not round-trip: %v", err)
	}
	if _, err := GenerateKey(base); err == nil {
		t.Fatal("an existing private key was replaced")
	}
	if _, err := LoadPublicKey(base + ".key"); err == nil {
		t.Fatal("a private key file was read as a public key")
	}
}

// installSigned installs fixture src as name with a manifest signed by priv; edit may change
// the manifest before it is signed.
func installSigned(t *testing.T, dir, src, name string, priv ed25519.PrivateKey, edit func(*Manifest)) {
	t.Helper()
	install(t, dir, src, name, sdk.KindFace)
	m, err := NewManifest(filepath.Join(dir, name), name, []sdk.Kind{sdk.KindFace})
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&m)
	}
	if _, err := SignFile(filepath.Join(dir, name), m, priv); err != nil {
		t.Fatal(err)
	}
}

// A kiosk configured with a trusted key starts only plugins whose signed manifest matches the
// binary and whose own account matches the manifest, and runs a copy of the verified bytes.
func TestSignedManifests(t *testing.T) {
	pub, priv := newKey(t)
	_, otherPriv := newKey(t)
	selfie := sdk.SelfieRequest{Image: conformance.SyntheticJPEG(64, 48)}
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, dir string)
		refused string // "" when the plugin must start
	}{
		{"signed", func(t *testing.T, dir string) { installSigned(t, dir, "good", "face", priv, nil) }, ""},
		{"signed with its version and capabilities", func(t *testing.T, dir string) {
			installSigned(t, dir, "good", "face", priv, func(m *Manifest) {
				m.Version, m.Capabilities = "0.0.1", []string{"AnalyzeFrame", "CheckSelfie", "MatchFaces", "CheckSignature"}
			})
		}, ""},
		{"unsigned", func(t *testing.T, dir string) { install(t, dir, "good", "face", sdk.KindFace) }, "not signed"},
		{"signed by another key", func(t *testing.T, dir string) { installSigned(t, dir, "good", "face", otherPriv, nil) }, "does not trust"},
		{"manifest altered", func(t *testing.T, dir string) {
			installSigned(t, dir, "good", "face", priv, nil)
			ms, _ := LoadManifests(dir)
			ms[0].Kinds = append(ms[0].Kinds, sdk.KindLiveness)
			writeManifest(t, dir, ms[0])
		}, "altered"},
		{"binary altered", func(t *testing.T, dir string) {
			installSigned(t, dir, "good", "face", priv, nil)
			f, _ := os.OpenFile(filepath.Join(dir, "face"), os.O_APPEND|os.O_WRONLY, 0)
			f.Write([]byte("tampered"))
			f.Close()
		}, "checksum mismatch"},
		{"another version", func(t *testing.T, dir string) {
			installSigned(t, dir, "good", "face", priv, func(m *Manifest) { m.Version = "9.9" })
		}, "manifest says"},
		{"capability not granted", func(t *testing.T, dir string) {
			installSigned(t, dir, "good", "face", priv, func(m *Manifest) { m.Capabilities = []string{"CheckSelfie"} })
		}, "does not grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			h, err := Open(context.Background(), sandboxed(Config{Dir: dir, TrustedKeys: []ed25519.PublicKey{pub}}))
			if h == nil {
				t.Fatal(err)
			}
			defer h.Close()
			x := healthOf(h, "face")
			v, _ := h.CheckSelfie(context.Background(), selfie)
			if tc.refused != "" {
				if err == nil || !strings.Contains(err.Error(), "REFUSED") || !strings.Contains(x.LastError, tc.refused) {
					t.Fatalf("open: %v, health %+v; want a refusal mentioning %q", err, x, tc.refused)
				}
				if x.State == StateUp || v.Outcome != sdk.CouldNotVerify {
					t.Fatalf("refused plugin answered: %+v %v", x, v.Outcome)
				}
				return
			}
			if err != nil || x.State != StateUp || v.Outcome != sdk.Pass {
				t.Fatalf("open: %v, health %+v, verdict %v", err, x, v.Outcome)
			}
			// Every verdict names the plugin, its version and the binary and key it was checked by.
			ms, _ := LoadManifests(dir)
			want := sdk.Provenance{Plugin: "face", Version: "0.0.1", SHA256: ms[0].SHA256, Signer: KeyID(pub)}
			if v.Provenance != want {
				t.Fatalf("provenance %+v; want %+v", v.Provenance, want)
			}
			// What runs is the verified copy in the sandbox folder, not the file in the plugin folder.
			exe, err := os.Readlink("/proc/" + strconv.Itoa(x.PID) + "/exe")
			if err != nil {
				t.Skipf("cannot read the plugin's executable path: %v", err)
			}
			if strings.HasPrefix(exe, dir) || !strings.HasSuffix(exe, "/face/bin/face") {
				t.Fatalf("plugin runs %s; want the verified copy in its sandbox folder", exe)
			}
		})
	}
	t.Run("no key could be read", func(t *testing.T) {
		dir := t.TempDir()
		installSigned(t, dir, "good", "face", priv, nil)
		h, err := Open(context.Background(), sandboxed(Config{Dir: dir, RequireSignature: true}))
		if h == nil {
			t.Fatal(err)
		}
		defer h.Close()
		if x := healthOf(h, "face"); x.State == StateUp || !errors.Is(err, ErrSignature) {
			t.Fatalf("plugin started without any trusted key: %+v %v", x, err)
		}
	})
}
