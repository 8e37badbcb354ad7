package office_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ehraz/ehraz/backoffice/intake"
	"github.com/ehraz/ehraz/backoffice/office"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/kyc"
)

// These tests run against the real server on 127.0.0.1 with raw connections, so that what the
// server does to a connection (close it, answer before reading the body) is what is observed.

func limitedOffice(t *testing.T, l office.Limits) *office.Office {
	cfg := testConfig(t)
	cfg.LoopbackOnly = true
	cfg.Limits = l
	return startOffice(t, context.Background(), cfg, office.Deps{})
}

func dial(t *testing.T, o *office.Office) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(o.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

// startUpload sends a dossier upload's headers announcing length bytes, then only first.
func startUpload(t *testing.T, c net.Conn, o *office.Office, key string, length int, first string) {
	t.Helper()
	fmt.Fprintf(c, "POST /v1/dossiers HTTP/1.1\r\nHost: intake\r\nAuthorization: Bearer %s\r\nIdempotency-Key: %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", o.Token, key, length, first)
}

// closedWithin reads until the server closes the connection (an answer before it is fine) and
// fails if it is still open after d.
func closedWithin(t *testing.T, c net.Conn, r *bufio.Reader, d time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, r)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection still open after %v", d)
	}
}

func readResponse(c net.Conn, r *bufio.Reader, d time.Duration) (*http.Response, error) {
	c.SetReadDeadline(time.Now().Add(d))
	resp, err := http.ReadResponse(r, nil)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

func stored(t *testing.T, o *office.Office) int {
	t.Helper()
	n, err := o.Intake.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A keep-alive connection idle between requests is closed after IdleTimeout.
func TestIdleConnectionIsClosed(t *testing.T) {
	o := limitedOffice(t, office.Limits{IdleTimeout: 200 * time.Millisecond})
	c, r := dial(t, o)
	fmt.Fprint(c, "GET /health HTTP/1.1\r\nHost: intake\r\n\r\n")
	resp, err := readResponse(c, r, 5*time.Second)
	if err != nil || resp.StatusCode != http.StatusNoContent || resp.Close {
		t.Fatalf("health on a keep-alive connection: %v %v", resp, err)
	}
	start := time.Now()
	closedWithin(t, c, r, 5*time.Second)
	if el := time.Since(start); el < 100*time.Millisecond {
		t.Errorf("closed after %v, before the idle timeout", el)
	}
}

// A client that stops sending its headers, or its body, loses the connection after
// ReadHeaderTimeout or RequestTimeout, and a stalled upload gives its slot back.
func TestStalledRequestsAreClosed(t *testing.T) {
	o := limitedOffice(t, office.Limits{ReadHeaderTimeout: 200 * time.Millisecond, RequestTimeout: 400 * time.Millisecond,
		MaxUploads: 1})
	t.Run("headers", func(t *testing.T) {
		c, r := dial(t, o)
		fmt.Fprint(c, "POST /v1/dossiers HTTP/1.1\r\nHost: intake\r\n")
		closedWithin(t, c, r, 5*time.Second)
	})
	t.Run("body", func(t *testing.T) {
		c, r := dial(t, o)
		startUpload(t, c, o, "key-stalled-0001", 100_000, `{"version":1,`)
		if resp, err := readResponse(c, r, 5*time.Second); err == nil && resp.StatusCode != http.StatusRequestTimeout {
			t.Errorf("stalled upload answered %d, want 408 (the kiosk retries) or no answer", resp.StatusCode)
		}
		closedWithin(t, c, r, 5*time.Second)
		// The slot is free: the next upload is read (and refused as malformed), not turned away.
		c2, r2 := dial(t, o)
		startUpload(t, c2, o, "key-after-00001", 1, "{")
		if resp, err := readResponse(c2, r2, 5*time.Second); err != nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("upload after the stalled one: %v %v, want 400", resp, err)
		}
	})
	if n := stored(t, o); n != 0 {
		t.Errorf("%d dossiers stored", n)
	}
}

func testDossier(t *testing.T, session string, media int) []byte {
	t.Helper()
	d := dossier.Dossier{Version: dossier.Version, SessionID: session, KioskID: "k1", Mode: dossier.ModeKiosk,
		Applicant: dossier.Applicant{Person: kyc.Person{NationalCode: "0015260186"}, Mobile: "09121234567"}}
	if media > 0 {
		d.Media = []dossier.Media{{Name: "video", Format: "ehraz-frames", Size: media, Sealed: bytes.Repeat([]byte{7}, media)}}
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func post(t *testing.T, o *office.Office, key string, body io.Reader) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, o.URL+"/v1/dossiers", body)
	req.Header.Set("Authorization", "Bearer "+o.Token)
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post %s: %v", key, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// A body over MaxDossierBytes gets 413 and nothing is stored, whether its length is announced
// or not; a dossier under the bound is received.
func TestOversizedDossierIsRefused(t *testing.T) {
	o := limitedOffice(t, office.Limits{MaxDossierBytes: 64 << 10})
	big := testDossier(t, "s-big", 100<<10)
	if code := post(t, o, "key-big-announced", bytes.NewReader(big)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized dossier with Content-Length: %d, want 413", code)
	}
	// io.MultiReader hides the length: the body is sent chunked.
	if code := post(t, o, "key-big-chunked", io.MultiReader(bytes.NewReader(big))); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized chunked dossier: %d, want 413", code)
	}
	if n := stored(t, o); n != 0 {
		t.Fatalf("%d oversized dossiers stored", n)
	}
	if code := post(t, o, "key-small-0001", bytes.NewReader(testDossier(t, "s-small", 32<<10))); code != http.StatusCreated {
		t.Errorf("dossier under the bound: %d, want 201", code)
	}
}

// With the default limits, a body announcing more than the largest legitimate dossier is
// refused at once, before the server reads any of it.
func TestDefaultLimitRefusesMoreThanTheLargestDossier(t *testing.T) {
	if intake.MaxDossierBytes >= 256<<20 {
		t.Fatalf("MaxDossierBytes %d: not sized to a dossier", intake.MaxDossierBytes)
	}
	o := limitedOffice(t, office.Limits{})
	if o.Config.Limits.MaxDossierBytes != intake.MaxDossierBytes {
		t.Fatalf("default limit %d, want intake.MaxDossierBytes %d", o.Config.Limits.MaxDossierBytes, intake.MaxDossierBytes)
	}
	c, r := dial(t, o)
	startUpload(t, c, o, "key-huge-000001", intake.MaxDossierBytes+1, "{")
	resp, err := readResponse(c, r, 5*time.Second)
	if err != nil || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("body announced over MaxDossierBytes: %v %v, want 413 before it is sent", resp, err)
	}
	if n := stored(t, o); n != 0 {
		t.Errorf("%d dossiers stored", n)
	}
}

// N+1 slow uploads at once: N are read, exactly one is refused at once with 503 and
// Retry-After (without the server waiting for its body), and the slots come back.
func TestUploadsOverTheBoundGet503(t *testing.T) {
	const n = 3
	o := limitedOffice(t, office.Limits{MaxUploads: n})
	type answer struct {
		i    int
		resp *http.Response
		err  error
	}
	answers := make(chan answer, n+1)
	conns := make([]net.Conn, n+1)
	for i := range n + 1 {
		c, r := dial(t, o)
		conns[i] = c
		go func() {
			startUpload(t, c, o, fmt.Sprintf("key-slow-%08d", i), 100_000, `{"version":1,`)
			resp, err := readResponse(c, r, 20*time.Second)
			answers <- answer{i, resp, err}
		}()
	}
	var refused answer
	select {
	case refused = <-answers:
	case <-time.After(10 * time.Second):
		t.Fatal("no upload refused although one more than the bound were sent")
	}
	if refused.err != nil || refused.resp.StatusCode != http.StatusServiceUnavailable || refused.resp.Header.Get("Retry-After") == "" {
		t.Fatalf("first answer: %+v, want 503 with Retry-After", refused)
	}
	select {
	case a := <-answers:
		t.Fatalf("a second upload was answered while %d were being read: %+v", n, a)
	case <-time.After(300 * time.Millisecond):
	}
	// The held uploads end (the kiosks went away); their slots come back.
	for i, c := range conns {
		if i != refused.i {
			c.Close()
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		code := post(t, o, "key-later-000001", bytes.NewReader(testDossier(t, "s-later", 0)))
		if code == http.StatusCreated {
			break
		}
		if code != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("upload after the slow ones ended: %d, want 201", code)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The limits are settings of the TOML file's [limits] table.
func TestLimitsFromTOML(t *testing.T) {
	file := filepath.Join(t.TempDir(), "backoffice.toml")
	toml := "[limits]\nread_header_timeout = \"5s\"\nrequest_timeout = \"20m\"\nidle_timeout = \"90s\"\n" +
		"max_dossier_bytes = 1048576\nmax_uploads = 8\n"
	if err := os.WriteFile(file, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := office.Load("test", []string{"--config", file}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := office.Limits{ReadHeaderTimeout: 5 * time.Second, RequestTimeout: 20 * time.Minute, IdleTimeout: 90 * time.Second,
		MaxDossierBytes: 1 << 20, MaxUploads: 8}
	if cfg.Limits != want {
		t.Errorf("limits %+v, want %+v", cfg.Limits, want)
	}
}
