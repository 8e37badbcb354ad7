package store

import (
	"context"
	"testing"
	"testing/fstest"
	"time"
)

func TestMigrationsIdempotentOnReopen(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	ms, err := loadMigrations(append([]Schema{ownSchema()}, testSchemas()...)...)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]bool{1: true, 100: true, 110: true}
	for _, m := range ms {
		delete(want, m.version)
	}
	if len(want) > 0 {
		t.Fatalf("embedded migrations miss versions %v", want)
	}
	count := func(s *Store) int {
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := count(s); got != len(ms) {
		t.Fatalf("schema_migrations has %d rows, want %d", got, len(ms))
	}
	for _, table := range []string{"sessions", "events", "checks", "media", "audit", "otp_codes", "otp_sends", "outbox"} {
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s missing (err %v)", table, err)
		}
	}
	s.Close()
	s2 := openAt(t, dir)
	if got := count(s2); got != len(ms) {
		t.Errorf("after reopen schema_migrations has %d rows, want %d", got, len(ms))
	}
	if n, err := migrate(ctx, s2.DB(), ms, time.Now()); err != nil || n != 0 {
		t.Errorf("migrate again applied %d (err %v), want 0", n, err)
	}
}

func TestMigrationFailureRollsBack(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	bad := fstest.MapFS{
		"0901_ok.sql":  {Data: []byte(`CREATE TABLE t901 (x INTEGER);`)},
		"0902_bad.sql": {Data: []byte(`CREATE TABLE t902 (x INTEGER); INSERT INTO nowhere VALUES (1);`)},
	}
	ms, err := loadMigrations(Schema{Owner: "test", FS: bad})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrate(ctx, s.DB(), ms, time.Now()); err == nil {
		t.Fatal("a failing migration reported success")
	}
	var n int
	s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name IN ('t901', 't902')`).Scan(&n)
	if n != 1 {
		t.Errorf("tables after a failed migration: %d, want only t901", n)
	}
	s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = 902`).Scan(&n)
	if n != 0 {
		t.Error("the failed migration was recorded")
	}
	if _, err := loadMigrations(Schema{Owner: "test", FS: fstest.MapFS{"1_x.sql": {}}}); err == nil {
		t.Error("a badly named migration was accepted")
	}
}

func TestConnectionSettings(t *testing.T) {
	s, _ := openTest(t)
	tests := []struct {
		pragma, want string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"secure_delete", "1"},
		{"synchronous", "2"}, // FULL
		{"busy_timeout", "10000"},
	}
	for _, tc := range tests {
		var got string
		if err := s.DB().QueryRow(`PRAGMA ` + tc.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
		}
	}
}
