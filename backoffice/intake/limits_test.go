package intake_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A dossier upload over the concurrency bound is refused at once with 503 and Retry-After (the
// kiosk's outbox retries later) instead of being read into memory beside the others.
func TestUploadsOverTheBoundAreRefused(t *testing.T) {
	rig := newIntake(t, loopback(), func(c *intakeConfig) { c.MaxUploads = 1 })
	pr, pw := io.Pipe()
	first := make(chan int, 1)
	go func() {
		req := httptest.NewRequest(http.MethodPost, "/v1/dossiers", pr)
		req.RemoteAddr = "127.0.0.1:5555"
		req.Header.Set("Authorization", "Bearer kiosk-token")
		req.Header.Set("Idempotency-Key", "key-slow-0000000001")
		rec := httptest.NewRecorder()
		rig.srv.ServeHTTP(rec, req)
		first <- rec.Code
	}()
	// The write returns once the server reads: the first upload now holds the only slot.
	if _, err := pw.Write([]byte("{")); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/v1/dossiers", nil)
	req.RemoteAddr = "127.0.0.1:5556"
	req.Header.Set("Authorization", "Bearer kiosk-token")
	req.Header.Set("Idempotency-Key", "key-second-00000001")
	rec := httptest.NewRecorder()
	rig.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("second upload: %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	pw.Close()
	select {
	case code := <-first:
		if code != http.StatusBadRequest {
			t.Errorf("first (malformed) upload: %d, want 400", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("first upload never finished")
	}
	// The slot is free again.
	rec = httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodPost, "/v1/dossiers", nil)
	req.RemoteAddr = "127.0.0.1:5557"
	req.Header.Set("Authorization", "Bearer kiosk-token")
	req.Header.Set("Idempotency-Key", "key-third-000000001")
	rig.srv.ServeHTTP(rec, req)
	if rec.Code == http.StatusServiceUnavailable {
		t.Error("the slot was not released")
	}
}
