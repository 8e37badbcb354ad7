package kiosk

import (
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ehraz/ehraz/app/detect"
	"github.com/ehraz/ehraz/app/store"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// The kiosk trusts the plugin keys its configuration names (bare names in <data_dir>/keys):
// a plugin signed by that key runs, sandboxed; an unsigned one is refused and said so; and the
// kiosk says which sandbox guards this machine does not enforce.
func TestKioskRunsOnlySignedPlugins(t *testing.T) {
	t.Setenv(store.KeyEnv, "")
	bin := t.TempDir()
	for _, b := range []struct{ out, pkg, cgo string }{
		{filepath.Join(bin, "face"), "github.com/ehraz/ehraz/plugins/sdk/internal/testplugins/good", ""},
		// The host finds its launcher beside the executable or in the plugin folder's parent.
		{filepath.Join(bin, "ehraz-sandbox"), "github.com/ehraz/ehraz/cmd/ehraz-sandbox", "CGO_ENABLED=0"},
	} {
		cmd := exec.Command("go", "build", "-o", b.out, b.pkg)
		cmd.Env = append(os.Environ(), b.cgo)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", b.pkg, err, out)
		}
	}
	for _, tc := range []struct {
		name   string
		signed bool
	}{{"signed", true}, {"unsigned", false}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := childConfig(t.TempDir())
			cfg.Plugins.Dir = filepath.Join(cfg.DataDir, "plugins", "bin")
			if err := os.MkdirAll(cfg.Plugins.Dir, 0o700); err != nil {
				t.Fatal(err)
			}
			os.Link(filepath.Join(bin, "ehraz-sandbox"), filepath.Join(cfg.DataDir, "plugins", "ehraz-sandbox"))
			b, _ := os.ReadFile(filepath.Join(bin, "face"))
			exe := filepath.Join(cfg.Plugins.Dir, "face")
			if err := os.WriteFile(exe, b, 0o755); err != nil {
				t.Fatal(err)
			}
			if _, err := detect.GenerateKey(filepath.Join(cfg.Path("keys"), "plugin-signing")); err != nil {
				t.Fatal(err)
			}
			m, err := detect.NewManifest(exe, "face", []sdk.Kind{sdk.KindFace})
			if err == nil && tc.signed {
				var priv ed25519.PrivateKey
				if priv, err = detect.LoadPrivateKey(filepath.Join(cfg.Path("keys"), "plugin-signing.key")); err == nil {
					_, err = detect.SignFile(exe, m, priv)
				}
			} else if err == nil {
				err = detect.WriteManifest(cfg.Plugins.Dir, m)
			}
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var warns []string
			k, err := Open(context.Background(), cfg, Options{Warn: func(err error) {
				mu.Lock()
				warns = append(warns, err.Error())
				mu.Unlock()
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			h := k.Plugins.Health()
			all := strings.Join(warns, "\n")
			if tc.signed {
				if len(h) != 1 || h[0].State != detect.StateUp {
					t.Fatalf("signed plugin not up: %+v\n%s", h, all)
				}
			} else if len(h) != 1 || h[0].State == detect.StateUp || !strings.Contains(all, "not signed") {
				t.Fatalf("unsigned plugin: %+v; warnings:\n%s", h, all)
			}
			for _, g := range k.Plugins.Sandbox().Unenforced() {
				if !strings.Contains(all, g.Name+" NOT ENFORCED") {
					t.Errorf("unenforced guard %s not reported: %s", g.Name, all)
				}
			}
		})
	}
	t.Run("key missing", func(t *testing.T) {
		cfg := childConfig(t.TempDir())
		var got error
		k, err := Open(context.Background(), cfg, Options{Warn: func(err error) { got = errors.Join(got, err) }})
		if err != nil {
			t.Fatal(err)
		}
		defer k.Close()
		if got == nil || !strings.Contains(got.Error(), "trusted key not read") {
			t.Fatalf("missing trusted key not reported: %v", got)
		}
	})
}
