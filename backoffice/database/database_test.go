package database_test

import (
	"context"
	"testing"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/backoffice/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Both engines reach the same schema version, and opening again applies nothing twice.
func TestMigrationsOnBothEngines(t *testing.T) {
	ctx := context.Background()
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			db := dbtest.Open(t, engine)
			v, err := db.Version(ctx)
			if err != nil || v != 6 {
				t.Fatalf("version %d %v, want 6", v, err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("migrating again: %v", err)
			}
			for _, table := range []string{"dossiers", "dossier_events", "amendments", "reviewers", "console_sessions"} {
				var n int
				if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
					t.Errorf("table %s: %v", table, err)
				}
			}
			// The unique-violation test every caller relies on, on this engine's own error.
			_, err = db.ExecContext(ctx, `INSERT INTO reviewers (username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`, "a", "a", "reviewer", "x", 1)
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.ExecContext(ctx, `INSERT INTO reviewers (username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`, "a", "b", "reviewer", "y", 2)
			if !database.IsUniqueViolation(err) {
				t.Errorf("duplicate user name: %v, want a unique violation", err)
			}
		})
	}
}

func TestRebind(t *testing.T) {
	pg := &database.DB{Engine: database.Postgres}
	lite := &database.DB{Engine: database.SQLite}
	for _, c := range []struct{ in, pg string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b = ?", "a = $1 AND b = $2"},
		{"x = '?' AND y = ?", "x = '?' AND y = $1"},
	} {
		if got := pg.Rebind(c.in); got != c.pg {
			t.Errorf("postgres %q → %q, want %q", c.in, got, c.pg)
		}
		if got := lite.Rebind(c.in); got != c.in {
			t.Errorf("sqlite changed %q to %q", c.in, got)
		}
	}
}

func TestUnknownEngine(t *testing.T) {
	if _, err := database.Open(context.Background(), "oracle", "x"); err == nil {
		t.Fatal("opened an unknown engine")
	}
}
