package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ehraz/ehraz/backoffice/office"
)

// syncBuffer is a bytes.Buffer safe to read while the command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// `ehrazctl kiosk enroll` against a real back office over TLS: it prints the code, waits, and
// once the admin approves with that code it holds a certificate `kiosk status` reports.
func TestKioskEnrollCommand(t *testing.T) {
	ctx := context.Background()
	ocfg := office.Defaults()
	ocfg.Addr, ocfg.DataDir, ocfg.GeoIP, ocfg.TLS = "127.0.0.1:0", t.TempDir(), "", true
	o, err := office.Start(ctx, ocfg, office.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	data := t.TempDir()
	conf := filepath.Join(t.TempDir(), "kiosk.toml")
	os.WriteFile(conf, []byte("kiosk_id = \"kiosk-yazd-3\"\n"), 0o600)
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--lang", "en", "kiosk", "enroll", "--config", conf, "--data", data, "--backoffice", o.URL,
			"--fingerprint", o.CAFingerprint, "--wait", "1m"}, strings.NewReader(""), &out, &errb)
	}()
	codeRE := regexp.MustCompile(`Approval code: (\d{4}) (\d{4})`)
	var code string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := codeRE.FindStringSubmatch(out.String()); m != nil {
			code = m[1] + m[2]
			break
		}
	}
	if code == "" {
		t.Fatalf("no code printed: %q %q", out.String(), errb.String())
	}
	if err := o.Fleet.Approve(ctx, "kiosk-yazd-3", code, "root"); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-done:
		if c != 0 || !strings.Contains(out.String(), "is enrolled") {
			t.Fatalf("enroll exit %d: %q %q", c, out.String(), errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("enroll did not finish after the approval")
	}
	var sout, serr bytes.Buffer
	if c := run(ctx, []string{"--lang", "en", "kiosk", "status", "--config", conf, "--data", data}, strings.NewReader(""), &sout, &serr); c != 0 ||
		!strings.Contains(sout.String(), "kiosk-yazd-3 is enrolled") {
		t.Fatalf("status %d: %q %q", c, sout.String(), serr.String())
	}
	for _, f := range []string{"kiosk-tls.key", "kiosk-tls.crt", "backoffice-ca.crt"} {
		if _, err := os.Stat(filepath.Join(data, "keys", f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if fi, _ := os.Stat(filepath.Join(data, "keys", "kiosk-tls.key")); fi != nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v", fi.Mode().Perm())
	}
}
