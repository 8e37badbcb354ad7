// Package dbtest gives the back office's tests a fresh database on each engine: a SQLite file in
// the test's folder, and a new database in a throwaway PostgreSQL cluster that this package
// starts itself with backoffice/database/pgcluster (initdb in a temporary folder, a Unix socket
// of its own, no TCP port, fsync off; as the `postgres` user when the tests run as root, since
// PostgreSQL refuses root) and stops when the test binary ends — or in the server EHRAZ_TEST_PG_DSN names. Where no cluster can be
// started the PostgreSQL variants skip with a loud message saying why; nothing passes silently.
//
// A package that uses Open calls Main from its TestMain.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/backoffice/database/pgcluster"
)

// EnvDSN names an existing PostgreSQL server to use instead of a throwaway cluster (its user
// must be allowed to create databases).
const EnvDSN = "EHRAZ_TEST_PG_DSN"

// Engines are the engines every back-office storage test runs against.
var Engines = []string{database.SQLite, database.Postgres}

// cluster is the test binary's PostgreSQL: started at the first Open that needs it.
type cluster struct {
	once    sync.Once
	dsn     string // admin connection ("postgres" database)
	local   *pgcluster.Cluster
	err     error
	counter atomic.Int64
}

var pg cluster // one per test binary, stopped by Main

// Main runs the tests and then stops the cluster, if one was started.
func Main(m *testing.M) {
	code := m.Run()
	pg.stop()
	os.Exit(code)
}

// PostgresDSN creates a new, empty PostgreSQL database in the cluster and returns its
// connection string (for tests that start a whole back office on it); it skips loudly where no
// cluster can be started.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	pg.once.Do(pg.start)
	if pg.err != nil {
		t.Skipf("SKIP (PostgreSQL NOT TESTED): no throwaway cluster: %v", pg.err)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), pg.counter.Add(1))
	admin, err := sql.Open("pgx", pg.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	return pg.dsnFor(name)
}

// Open returns a new, migrated, empty database on engine, closed at the end of the test.
func Open(t testing.TB, engine string) *database.DB {
	t.Helper()
	ctx := context.Background()
	var source string
	switch engine {
	case database.SQLite:
		source = filepath.Join(t.TempDir(), "backoffice.db")
	case database.Postgres:
		source = PostgresDSN(t)
	default:
		t.Fatalf("unknown engine %q", engine)
	}
	db, err := database.Open(ctx, engine, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func (c *cluster) dsnFor(dbname string) string {
	if v := os.Getenv(EnvDSN); v != "" {
		return v + " dbname=" + dbname
	}
	return c.local.DSN(dbname)
}

func (c *cluster) start() {
	if v := os.Getenv(EnvDSN); v != "" {
		c.dsn = v
		return
	}
	c.local, c.err = pgcluster.Start(context.Background(), pgcluster.Options{Fast: true})
	if c.err == nil {
		c.dsn = c.local.DSN("postgres")
	}
}

func (c *cluster) stop() {
	if c.local != nil {
		c.local.Stop()
	}
}
