package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/locales"
)

func TestParseKey(t *testing.T) {
	k := bytes.Repeat([]byte{0xA5}, KeySize)
	tests := []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"hex", []byte(hex.EncodeToString(k) + "\n"), true},
		{"base64", []byte(base64.StdEncoding.EncodeToString(k)), true},
		{"raw base64url", []byte(base64.RawURLEncoding.EncodeToString(k)), true},
		{"raw bytes", k, false},
		{"32 typed characters", []byte("0123456789abcdef0123456789abcdef"), false},
		{"short hex", []byte(hex.EncodeToString(k[:16])), false},
		{"empty", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseKey(tc.in)
			if tc.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && !bytes.Equal(got, k) {
				t.Error("wrong key")
			}
		})
	}
}

func TestKeySources(t *testing.T) {
	ctx := context.Background()
	t.Run("key file created 0600", func(t *testing.T) {
		_, dir := openTest(t)
		fi, err := os.Stat(filepath.Join(dir, "keys", "store.key"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("key file: %v mode %v", err, fi.Mode().Perm())
		}
	})
	t.Run("world-readable key refused", func(t *testing.T) {
		s, dir := openTest(t)
		s.Close()
		kf := filepath.Join(dir, "keys", "store.key")
		os.Chmod(kf, 0o644)
		_, err := Open(ctx, Options{Path: filepath.Join(dir, "ehraz.db"), KeyFile: kf})
		if !errors.Is(err, ErrKeyPermissions) {
			t.Fatalf("Open with a 0644 key: %v, want ErrKeyPermissions", err)
		}
		os.Chmod(kf, 0o600)
	})
	t.Run("missing key for an existing database", func(t *testing.T) {
		s, dir := openTest(t)
		s.Close()
		kf := filepath.Join(dir, "keys", "store.key")
		os.Rename(kf, kf+".away")
		defer os.Rename(kf+".away", kf)
		if _, err := Open(ctx, Options{Path: filepath.Join(dir, "ehraz.db"), KeyFile: kf}); err == nil {
			t.Fatal("Open made a new key for an existing database")
		}
		if _, err := os.Stat(kf); !errors.Is(err, os.ErrNotExist) {
			t.Error("a key file was created anyway")
		}
	})
	t.Run("environment key", func(t *testing.T) {
		k := bytes.Repeat([]byte{7}, KeySize)
		t.Setenv(KeyEnv, hex.EncodeToString(k))
		dir := t.TempDir()
		s, err := Open(ctx, Options{Path: filepath.Join(dir, "ehraz.db"), KeyFile: filepath.Join(dir, "keys", "store.key")})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if s.ActiveKeyID() != KeyID(k) {
			t.Error("the environment key is not the active key")
		}
		if _, err := os.Stat(filepath.Join(dir, "keys", "store.key")); err == nil {
			t.Error("a key file was written although the key came from the environment")
		}
		if _, err := s.RotateKeyFile(ctx, false); err == nil {
			t.Error("RotateKeyFile accepted an environment key")
		}
	})
	t.Run("wrong key cannot read", func(t *testing.T) {
		s, dir := openTest(t)
		if err := s.Create(ctx, fullRecord("w-1"), ev("start", "", flow.StepMobile, t0)); err != nil {
			t.Fatal(err)
		}
		s.Close()
		other, err := Open(ctx, Options{Path: filepath.Join(dir, "ehraz.db"), Keys: [][]byte{bytes.Repeat([]byte{9}, KeySize)}})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if _, err := other.Load(ctx, "w-1"); !errors.Is(err, ErrUnreadable) {
			t.Errorf("Load with another key: %v, want ErrUnreadable", err)
		}
	})
}

func TestKeyRotation(t *testing.T) {
	for _, keepOld := range []bool{false, true} {
		name := map[bool]string{false: "shred old", true: "keep old"}[keepOld]
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, dir := openTest(t)
			kf := filepath.Join(dir, "keys", "store.key")
			oldRaw, err := readKeyFile(kf)
			if err != nil {
				t.Fatal(err)
			}
			photo := testJPEG(t, 7)
			for _, id := range []string{"k-1", "k-2"} {
				if err := s.Create(ctx, fullRecord(id), ev("start", "", flow.StepMobile, t0)); err != nil {
					t.Fatal(err)
				}
				if _, err := s.PutMedia(ctx, id, "selfie", "jpeg", photo); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := s.RotateKeyFile(ctx, keepOld)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Sessions != 2 || rep.Media != 2 || rep.OldKeyID != KeyID(oldRaw) || rep.NewKeyID == rep.OldKeyID {
				t.Fatalf("report %+v", rep)
			}
			ids, err := s.KeyIDsInUse(ctx)
			if err != nil || len(ids) != 1 || ids[0] != rep.NewKeyID {
				t.Fatalf("key ids in use %v (err %v), want only %s", ids, err, rep.NewKeyID)
			}
			newRaw, err := readKeyFile(kf)
			if err != nil || KeyID(newRaw) != rep.NewKeyID {
				t.Fatalf("key file does not hold the new key (err %v)", err)
			}
			for _, leftover := range []string{kf + nextSuffix, kf + ".old"} {
				if _, err := os.Stat(leftover); err == nil {
					t.Errorf("%s left behind", filepath.Base(leftover))
				}
			}
			retired := filepath.Join(dir, "keys", retiredDir, rep.OldKeyID+".key")
			if _, err := os.Stat(retired); (err == nil) != keepOld {
				t.Errorf("retired key present=%v, want %v", err == nil, keepOld)
			}
			s.Close()
			// Reopened with the key file only: everything reads.
			s2 := openAt(t, dir)
			for _, id := range []string{"k-1", "k-2"} {
				r, err := s2.Load(ctx, id)
				if err != nil || r.NationalCode != testNationalCode {
					t.Fatalf("Load %s after rotation: %v", id, err)
				}
				b, _, err := s2.ReadMedia(ctx, id, "selfie")
				if err != nil || !bytes.Equal(b, photo) {
					t.Fatalf("media %s after rotation: %v", id, err)
				}
			}
			// The old key alone opens nothing any more.
			old, err := Open(ctx, Options{Path: filepath.Join(dir, "ehraz.db"), Keys: [][]byte{oldRaw}})
			if err != nil {
				t.Fatal(err)
			}
			defer old.Close()
			if _, err := old.Load(ctx, "k-1"); !errors.Is(err, ErrUnreadable) {
				t.Errorf("old key still reads a record: %v", err)
			}
			if _, _, err := old.ReadMedia(ctx, "k-1", "selfie"); !errors.Is(err, ErrUnreadable) {
				t.Errorf("old key still reads media: %v", err)
			}
		})
	}
}

// A rotation interrupted after writing the next key resumes with the same key.
func TestRotationResumes(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	if err := s.Create(ctx, fullRecord("r-1"), ev("start", "", flow.StepMobile, t0)); err != nil {
		t.Fatal(err)
	}
	kf := filepath.Join(dir, "keys", "store.key")
	next := bytes.Repeat([]byte{3}, KeySize)
	if err := writeKeyFile(kf+nextSuffix, next); err != nil {
		t.Fatal(err)
	}
	// Half-done: the record is already under the next key when the "crash" happens.
	if _, err := s.Rotate(ctx, next); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2 := openAt(t, dir) // loads store.key + store.key.next
	if _, err := s2.Load(ctx, "r-1"); err != nil {
		t.Fatalf("Load during an interrupted rotation: %v", err)
	}
	rep, err := s2.RotateKeyFile(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.NewKeyID != KeyID(next) || rep.Sessions != 0 {
		t.Errorf("resumed rotation %+v, want new key %s and nothing left to re-encrypt", rep, KeyID(next))
	}
}

func TestErrorKey(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{fmt.Errorf("x: %w", ErrReadOnly), "store.error.read_only"},
		{fmt.Errorf("x: %w", ErrKeyPermissions), "store.error.key"},
		{fmt.Errorf("x: %w", ErrNoKey), "store.error.key"},
		{fmt.Errorf("x: %w", ErrUnreadable), "store.error.unreadable"},
		{fmt.Errorf("x: %w", ErrNotFound), "store.error.not_found"},
		{errors.New("disk on fire"), "store.error.generic"},
	}
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		got := ErrorKey(tc.err)
		if got != tc.want {
			t.Errorf("ErrorKey(%v) = %q, want %q", tc.err, got, tc.want)
		}
		for _, lang := range locales.Languages {
			if got != "" && !cat.Has(lang, got) {
				t.Errorf("%s: key %q missing", lang, got)
			}
		}
	}
	if !cat.Has("fa", OverrideReason) || !cat.Has("en", OverrideReason) {
		t.Errorf("override reason key %q missing", OverrideReason)
	}
}

// Rotating while another Store (the kiosk) has the folder open would destroy the key it seals
// with: refused.
func TestRotationRefusedWhileOpenElsewhere(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	kiosk := openAt(t, dir) // a second open store (flock is per open file, so this stands in for a process)
	if _, err := s.RotateKeyFile(ctx, false); !errors.Is(err, ErrInUse) {
		t.Fatalf("RotateKeyFile with another store open: %v, want ErrInUse", err)
	}
	kiosk.Close()
	if _, err := s.RotateKeyFile(ctx, false); err != nil {
		t.Fatalf("RotateKeyFile once alone: %v", err)
	}
}

// OpenInfo reads the non-personal columns without any key and writes nothing.
func TestOpenInfoWithoutKey(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	if err := s.Create(ctx, fullRecord("i-1"), ev("start", "", flow.StepMobile, t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutMedia(ctx, "i-1", "selfie", "jpeg", []byte("photo")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	dbFile := filepath.Join(dir, "ehraz.db")
	before := fileSum(t, dbFile)
	info, err := OpenInfo(ctx, filepath.Join(dir, "ehraz.db"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := info.Info(ctx, "i-1")
	if err != nil || in.Step != flow.StepVideo || len(in.Checks) != 1 || len(in.Media) != 1 {
		t.Fatalf("Info without key: %+v %v", in, err)
	}
	if _, err := info.Load(ctx, "i-1"); !errors.Is(err, ErrUnreadable) {
		t.Errorf("Load without key: %v, want ErrUnreadable", err)
	}
	if _, err := info.PutMedia(ctx, "i-1", "selfie", "jpeg", []byte("x")); !errors.Is(err, ErrNoKey) {
		t.Errorf("PutMedia without key: %v, want ErrNoKey", err)
	}
	if _, err := info.Rotate(ctx, bytes.Repeat([]byte{1}, KeySize)); !errors.Is(err, ErrNoKey) {
		t.Errorf("Rotate without key: %v, want ErrNoKey", err)
	}
	info.Close()
	if fileSum(t, dbFile) != before {
		t.Error("the database file changed")
	}
	// SQLite may create an empty -wal/-shm pair to read a WAL database; nothing is written to it.
	if fi, err := os.Stat(dbFile + "-wal"); err == nil && fi.Size() != 0 {
		t.Errorf("OpenInfo wrote %d bytes of WAL", fi.Size())
	}
	if _, err := OpenInfo(ctx, filepath.Join(dir, "none.db")); err == nil {
		t.Error("OpenInfo of a missing file succeeded")
	}
}
