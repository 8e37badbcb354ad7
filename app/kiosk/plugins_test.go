package kiosk

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/store"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// With PluginsInBackground the kiosk opens without its plugins (the window comes first): live
// hints say the checks are starting, a check waits for them within its context, and
// StartPlugins brings the host up; a kiosk closed before starting them closes cleanly.
func TestPluginsStartAfterTheWindow(t *testing.T) {
	t.Setenv(store.KeyEnv, "")
	for _, start := range []bool{true, false} {
		cfg := childConfig(t.TempDir())
		cfg.Plugins.Dir = filepath.Join(cfg.DataDir, "plugins", "bin")
		if err := os.MkdirAll(cfg.Plugins.Dir, 0o700); err != nil {
			t.Fatal(err)
		}
		ready := make(chan error, 1)
		k, err := Open(context.Background(), cfg, Options{PluginsInBackground: true, PluginsReady: func(err error) { ready <- err }})
		if err != nil {
			t.Fatal(err)
		}
		if k.Plugins != nil {
			t.Fatal("Kiosk.Plugins set before the plugins started")
		}
		if _, ok := k.Detectors.Host(); ok {
			t.Fatal("host up before StartPlugins")
		}
		a, err := k.Detectors.AnalyzeFrame(context.Background(), sdk.FrameRequest{})
		if err != nil || len(a.Hints) != 1 || a.Hints[0].Key != HintStarting {
			t.Fatalf("live hint while starting: %+v %v", a, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		if _, err := k.Detectors.CheckSelfie(ctx, sdk.SelfieRequest{}); err == nil {
			t.Error("a check answered before the plugins started")
		}
		cancel()
		if start {
			k.StartPlugins()
			k.StartPlugins() // once only
			if err := <-ready; err != nil {
				t.Fatalf("plugins: %v", err)
			}
			if _, ok := k.Detectors.Host(); !ok {
				t.Fatal("host not up after StartPlugins")
			}
			if _, ok := k.Detectors.Text("fa", "no.such.key"); ok {
				t.Error("a text for an unknown key")
			}
		}
		if err := k.Close(); err != nil {
			t.Errorf("close (started %v): %v", start, err)
		}
	}
}
