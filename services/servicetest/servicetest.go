// Package servicetest helps the services' tests: a real SQLite file in a temporary folder with
// the migrations of the packages whose tables the services use (services/otp/migrations,
// app/outbox/migrations) applied in version order, as the kiosk's store applies them.
package servicetest

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver the store uses
)

// OpenDB opens a fresh SQLite database file under t.TempDir() with the services' migrations.
func OpenDB(t testing.TB) *sql.DB {
	t.Helper()
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "test.db")+"?_journal_mode=WAL&_busy_timeout=5000&_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var files []string
	for _, dir := range []string{"services/otp/migrations", "app/outbox/migrations"} {
		found, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(dir), "[0-9][0-9][0-9][0-9]_*.sql"))
		if err != nil || len(found) == 0 {
			t.Fatalf("no migrations found under %s (err %v)", filepath.Join(root, dir), err)
		}
		files = append(files, found...)
	}
	sort.Slice(files, func(i, j int) bool { return filepath.Base(files[i]) < filepath.Base(files[j]) })
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(b)); err != nil {
			t.Fatalf("migration %s: %v", filepath.Base(f), err)
		}
	}
	return db
}

// ModuleRoot finds the folder holding go.mod, walking up from the working directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Shared returns the shared folder ($SHARED, else <repo>/../shared), or skips the test.
func Shared(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("SHARED")
	if dir == "" {
		root, err := ModuleRoot()
		if err != nil {
			t.Skip("shared folder not found: set SHARED")
		}
		dir = filepath.Join(root, "..", "shared")
	}
	if _, err := os.Stat(filepath.Join(dir, "testdata", "faces")); err != nil {
		t.Skipf("shared test data not found at %s (set SHARED): %v", dir, err)
	}
	return dir
}
