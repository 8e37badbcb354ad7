package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
)

func TestPutMedia(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	if err := s.Create(ctx, openRecord("m-1", t0), ev("start", "", flow.StepMobile, t0)); err != nil {
		t.Fatal(err)
	}
	first, retake := testJPEG(t, 1), testJPEG(t, 2)
	tests := []struct {
		name, session, media string
		data                 []byte
		wantErr              bool
	}{
		{"selfie", "m-1", "selfie", first, false},
		{"retake replaces", "m-1", "selfie", retake, false},
		{"dotted name", "m-1", "registry.photo", first, false},
		{"unknown session", "nobody", "selfie", first, true},
		{"path in name", "m-1", "../escape", first, true},
		{"upper case name", "m-1", "Selfie", first, true},
		{"bad session id", "../m-1", "selfie", first, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sum, err := s.PutMedia(ctx, tc.session, tc.media, "jpeg", tc.data)
			if tc.wantErr {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := sha256.Sum256(tc.data)
			if sum != hex.EncodeToString(want[:]) {
				t.Errorf("sha256 %s, want of the plain bytes", sum)
			}
			got, format, err := s.ReadMedia(ctx, tc.session, tc.media)
			if err != nil || format != "jpeg" || !bytes.Equal(got, tc.data) {
				t.Fatalf("ReadMedia: %v format %q equal %v", err, format, bytes.Equal(got, tc.data))
			}
		})
	}
	files, _ := filepath.Glob(filepath.Join(dir, "media", "m-1", "*"))
	if len(files) != 2 {
		t.Errorf("media files %v, want selfie and registry.photo only (no temporaries)", files)
	}
	if _, err := os.Stat(filepath.Join(dir, "escape.sealed")); err == nil {
		t.Error("a media name escaped the media folder")
	}
}

// Files are bound to their session and name: swapped or altered files do not open.
func TestMediaSwapDetected(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	for _, id := range []string{"a-1", "b-1"} {
		if err := s.Create(ctx, openRecord(id, t0), ev("start", "", flow.StepMobile, t0)); err != nil {
			t.Fatal(err)
		}
		for i, name := range []string{"selfie", "signature"} {
			if _, err := s.PutMedia(ctx, id, name, "jpeg", testJPEG(t, uint64(10+i))); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := func(id, name string) string { return filepath.Join(dir, "media", id, name+".sealed") }
	swap := func(a, b string) {
		x, _ := os.ReadFile(a)
		y, _ := os.ReadFile(b)
		os.WriteFile(a, y, 0o600)
		os.WriteFile(b, x, 0o600)
	}
	swap(path("a-1", "selfie"), path("a-1", "signature"))
	if _, _, err := s.ReadMedia(ctx, "a-1", "selfie"); !errors.Is(err, ErrUnreadable) {
		t.Errorf("swapped names: %v, want ErrUnreadable", err)
	}
	swap(path("a-1", "selfie"), path("a-1", "signature"))
	swap(path("a-1", "selfie"), path("b-1", "selfie"))
	if _, _, err := s.ReadMedia(ctx, "b-1", "selfie"); !errors.Is(err, ErrUnreadable) {
		t.Errorf("swapped sessions: %v, want ErrUnreadable", err)
	}
	swap(path("a-1", "selfie"), path("b-1", "selfie"))
	b, _ := os.ReadFile(path("a-1", "signature"))
	b[len(b)/2] ^= 1
	os.WriteFile(path("a-1", "signature"), b, 0o600)
	if _, _, err := s.ReadMedia(ctx, "a-1", "signature"); !errors.Is(err, ErrUnreadable) {
		t.Errorf("flipped bit: %v, want ErrUnreadable", err)
	}
	if _, _, err := s.ReadMedia(ctx, "a-1", "selfie"); err != nil {
		t.Errorf("untouched file: %v", err)
	}
}

func TestWipe(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	r := fullRecord("x-1")
	if err := s.Create(ctx, r, ev("start", "", flow.StepMobile, t0)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"selfie", "video"} {
		if _, err := s.PutMedia(ctx, "x-1", name, "jpeg", testJPEG(t, 3)); err != nil {
			t.Fatal(err)
		}
	}
	wiped := flow.Record{ID: "x-1", Step: flow.StepExpired, Mode: r.Mode, StartedAt: r.StartedAt, LastActive: t0.Add(time.Hour), Outcome: "flow.expired"}
	if err := s.Wipe(ctx, wiped, ev("expired", flow.StepVideo, flow.StepExpired, t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "media", "x-1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("media folder still there: %v", err)
	}
	got, err := s.Load(ctx, "x-1")
	if err != nil || got.Person != nil || got.NationalCode != "" || got.Step != flow.StepExpired {
		t.Fatalf("after wipe Load = %+v, %v", got, err)
	}
	in, err := s.Info(ctx, "x-1")
	if err != nil {
		t.Fatal(err)
	}
	if !in.Wiped || !in.Expired || len(in.Media) != 0 || len(in.Events) != 2 || len(in.Checks) != 1 {
		t.Errorf("after wipe: wiped %v expired %v media %d events %d checks %d", in.Wiped, in.Expired, len(in.Media), len(in.Events), len(in.Checks))
	}
	if _, err := s.PutMedia(ctx, "x-1", "selfie", "jpeg", []byte{1}); err == nil {
		t.Error("PutMedia on a wiped session succeeded")
	}
	if _, ok, _ := s.LatestOpen(ctx); ok {
		t.Error("a wiped session is still open")
	}
}
