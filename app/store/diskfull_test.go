package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/domain/kyc"
)

// A real full disk: the data folder is a 4 MB tmpfs, filled up by another file. Media and session
// writes then fail with flow.ErrStorageFull (shown as "storage full", not a generic failure), the
// session keeps what was saved before, no half-written file stays, and once space is freed the
// same store carries on with an intact database.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs (a real full disk)")
	}
	t.Setenv(KeyEnv, "")
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	ctx := context.Background()
	s := openAt(t, dir) // its cleanup closes the store and checks integrity and audit, before umount

	r := fullRecord("full-1")
	if err := s.Create(ctx, r, ev("start", "", r.Step, t0)); err != nil {
		t.Fatal(err)
	}
	selfie := testJPEG(t, 1)
	if _, err := s.PutMedia(ctx, r.ID, "selfie", "jpeg", selfie); err != nil {
		t.Fatal(err)
	}

	filler := filepath.Join(dir, "filler")
	fillDisk(t, filler)

	video := make([]byte, 512<<10)
	rand.Read(video)
	_, err := s.PutMedia(ctx, r.ID, "video", "ehraz-frames", video)
	if !errors.Is(err, flow.ErrStorageFull) || ErrorKey(err) != "store.error.disk_full" {
		t.Fatalf("PutMedia on a full disk: %v (key %q), want ErrStorageFull", err, ErrorKey(err))
	}
	// Session writes fail the same way once SQLite's log cannot grow.
	saved := r
	var saveErr error
	for i := 0; i < 2000 && saveErr == nil; i++ {
		next := r
		next.CardSerial = kyc.CardSerial(strings.Repeat("9", 1+i%9))
		next.Outcome = string(rand.Text())
		if saveErr = s.Save(ctx, next, ev("retry", next.Step, next.Step, t0)); saveErr == nil {
			saved = next
		}
	}
	if !errors.Is(saveErr, flow.ErrStorageFull) {
		t.Fatalf("Save on a full disk: %v, want ErrStorageFull", saveErr)
	}
	got, err := s.Load(ctx, r.ID)
	if err != nil || got.Outcome != saved.Outcome {
		t.Fatalf("after the failed save: %v, outcome %q want %q (the last saved state)", err, got.Outcome, saved.Outcome)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "media", "*", "*.tmp*")); len(tmp) > 0 {
		t.Errorf("half-written media left behind: %v", tmp)
	}

	// Space comes back: everything works again, nothing was lost.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutMedia(ctx, r.ID, "video", "ehraz-frames", video); err != nil {
		t.Fatalf("PutMedia after space was freed: %v", err)
	}
	if err := s.Save(ctx, r, ev("recovered", r.Step, r.Step, t0)); err != nil {
		t.Fatalf("Save after space was freed: %v", err)
	}
	if data, _, err := s.ReadMedia(ctx, r.ID, "selfie"); err != nil || !bytes.Equal(data, selfie) {
		t.Errorf("selfie after the full disk: %v", err)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

// fillDisk writes path until the file system has no space left.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 16<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			return
		}
	}
}
