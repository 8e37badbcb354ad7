package store

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"
)

// Migrations from several packages run in one stable order (by version, whatever order the
// packages are registered in), and one version claimed by two packages is refused.
func TestMigrationsOfSeveralPackages(t *testing.T) {
	a := Schema{Owner: "a", FS: fstest.MapFS{"0002_a.sql": {Data: []byte(`CREATE TABLE a (x);`)},
		"0200_a2.sql": {Data: []byte(`ALTER TABLE a ADD COLUMN y;`)}}}
	b := Schema{Owner: "b", FS: fstest.MapFS{"0100_b.sql": {Data: []byte(`CREATE TABLE b (x);`)}}}
	versions := func(ms []migration) []int {
		var v []int
		for _, m := range ms {
			v = append(v, m.version)
		}
		return v
	}
	for _, order := range [][]Schema{{a, b}, {b, a}} {
		ms, err := loadMigrations(order...)
		if err != nil {
			t.Fatal(err)
		}
		if got := versions(ms); !slices.Equal(got, []int{2, 100, 200}) {
			t.Errorf("order %v, want [2 100 200]", got)
		}
	}
	dup := Schema{Owner: "c", FS: fstest.MapFS{"0100_c.sql": {Data: []byte(`CREATE TABLE c (x);`)}}}
	if _, err := loadMigrations(a, b, dup); err == nil {
		t.Error("two packages sharing version 100 were accepted")
	}
	// The store's own files are 00NN; the services' 01NN.
	own, err := loadMigrations(ownSchema())
	if err != nil || len(own) == 0 {
		t.Fatalf("own migrations: %d, %v", len(own), err)
	}
	for _, m := range own {
		if m.version >= 100 {
			t.Errorf("store migration %s: the store's versions are 00NN", m.name)
		}
	}
	for _, sc := range testSchemas() {
		ms, err := loadMigrations(sc)
		if err != nil || len(ms) == 0 {
			t.Fatalf("%s migrations: %d, %v", sc.Owner, len(ms), err)
		}
		for _, m := range ms {
			if m.version < 100 {
				t.Errorf("%s migration %s: services use 01NN and up", sc.Owner, m.name)
			}
		}
	}
}

// A database made when every migration file lived in app/store/migrations (one runner, rows
// 0001_sessions.sql, 0100_otp.sql and 0110_outbox.sql in schema_migrations) opens with the
// packages' own migrations without re-running any of them.
func TestOpenDatabaseOfOldMigrationLayout(t *testing.T) {
	ctx := context.Background()
	t.Setenv(KeyEnv, "")
	dir := t.TempDir()
	path := filepath.Join(dir, "ehraz.db")

	// The old layout, made by hand: the same SQL (the files moved unchanged) and the rows the
	// old runner wrote.
	own, err := ownSchema().root()
	if err != nil {
		t.Fatal(err)
	}
	old := map[string]fs.FS{"0001_sessions.sql": own}
	for _, sc := range testSchemas() {
		root, err := sc.root()
		if err != nil {
			t.Fatal(err)
		}
		entries, err := fs.ReadDir(root, ".")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != "0111_amendments.sql" { // newer than the old layout
				old[e.Name()] = root
			}
		}
	}
	if len(old) != 3 {
		t.Fatalf("expected the three files of the old layout, found %v", old)
	}
	db, err := sql.Open("sqlite3", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	applied := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixMilli()
	for _, name := range []string{"0001_sessions.sql", "0100_otp.sql", "0110_outbox.sql"} {
		b, err := fs.ReadFile(old[name], name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		v := map[string]int{"0001_sessions.sql": 1, "0100_otp.sql": 100, "0110_outbox.sql": 110}[name]
		if _, err := db.Exec(`INSERT INTO schema_migrations VALUES (?, ?, ?)`, v, name, applied); err != nil {
			t.Fatal(err)
		}
	}
	// A re-run of 0100 or 0110 would bring these indexes back (CREATE INDEX IF NOT EXISTS).
	if _, err := db.Exec(`DROP INDEX otp_sends_kiosk; DROP INDEX outbox_nc;
		INSERT INTO otp_sends (mobile_hash, kiosk_id, sent_at) VALUES (x'01', 'kiosk-1', 1)`); err != nil {
		t.Fatal(err)
	}
	rows := func(db *sql.DB) [][3]any {
		r, err := db.QueryContext(ctx, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var out [][3]any
		for r.Next() {
			var v, at int64
			var n string
			if err := r.Scan(&v, &n, &at); err != nil {
				t.Fatal(err)
			}
			out = append(out, [3]any{v, n, at})
		}
		return out
	}
	before := rows(db)
	db.Close()

	s, err := Open(ctx, Options{Path: path, Keys: [][]byte{bytes.Repeat([]byte{7}, 32)}, Schemas: testSchemas()})
	if err != nil {
		t.Fatalf("open the old layout: %v", err)
	}
	defer s.Close()
	// The old rows are kept as they were; only migrations newer than the old layout are added
	// (0002_person_locks.sql, 0003_audit_keyed.sql, 0004_check_provenance.sql, 0005_tracking_hash.sql,
	// 0111_amendments.sql), each once.
	var after, added [][3]any
	for _, r := range rows(s.DB()) {
		if r[1] == "0002_person_locks.sql" || r[1] == "0003_audit_keyed.sql" || r[1] == "0004_check_provenance.sql" || r[1] == "0005_tracking_hash.sql" || r[1] == "0111_amendments.sql" {
			added = append(added, r)
			continue
		}
		after = append(after, r)
	}
	if !slices.Equal(before, after) || len(added) != 5 {
		t.Errorf("schema_migrations changed:\n before %v\n after  %v (+ %v)", before, after, added)
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('otp_sends_kiosk', 'outbox_nc')`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a migration ran again: %d dropped indexes are back (err %v)", n, err)
	}
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM otp_sends`).Scan(&n); err != nil || n != 1 {
		t.Errorf("otp_sends rows %d (err %v), want the old one", n, err)
	}
	ms, err := loadMigrations(append([]Schema{ownSchema()}, testSchemas()...)...)
	if err != nil {
		t.Fatal(err)
	}
	if applied, err := migrate(ctx, s.DB(), ms, time.Now()); err != nil || applied != 0 {
		t.Errorf("migrate on the old layout applied %d (err %v), want 0", applied, err)
	}
}
