package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
)

func benchStore(b *testing.B) *Store {
	b.Helper()
	b.Setenv(KeyEnv, "")
	dir := b.TempDir()
	s, err := Open(context.Background(), Options{Path: filepath.Join(dir, "ehraz.db"), KeyFile: filepath.Join(dir, "keys", "store.key")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkSave is one step transition: seal the record, update it, append the event and the
// audit entry, fsync (synchronous=FULL).
func BenchmarkSave(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	r := fullRecord("bench-1")
	if err := s.Create(ctx, r, ev("start", "", flow.StepMobile, t0)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.LastActive = t0.Add(time.Duration(i) * time.Second)
		if err := s.Save(ctx, r, ev("tick", r.Step, r.Step, r.LastActive)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutMedia seals and atomically writes a 200 kB photo.
func BenchmarkPutMedia(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	if err := s.Create(ctx, openRecord("bench-1", t0), ev("start", "", flow.StepMobile, t0)); err != nil {
		b.Fatal(err)
	}
	photo := make([]byte, 200<<10)
	b.SetBytes(int64(len(photo)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.PutMedia(ctx, "bench-1", "selfie", "jpeg", photo); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad opens and decodes one sealed record.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	for i := 0; i < 100; i++ {
		if err := s.Create(ctx, fullRecord(fmt.Sprintf("bench-%d", i)), ev("start", "", flow.StepMobile, t0)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Load(ctx, "bench-42"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyAudit recomputes a 10,000-row chain.
func BenchmarkVerifyAudit(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 10000; i++ {
		if err := s.appendAudit(ctx, tx, t0, "bench-1", AuditEvent, "tick", "selfie>selfie"); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n, err := s.VerifyAudit(ctx); err != nil || n != 10000 {
			b.Fatal(n, err)
		}
	}
}
