// Package dbtest gives the back office's tests a fresh database on each engine: a SQLite file in
// the test's folder, and a new database in a throwaway PostgreSQL cluster that this package
// starts itself (initdb in a temporary folder, a Unix socket of its own, no TCP port, fsync off;
// as the `postgres` user when the tests run as root, since PostgreSQL refuses root) and stops
// when the test binary ends — or in the server EHRAZ_TEST_PG_DSN names. Where no cluster can be
// started the PostgreSQL variants skip with a loud message saying why; nothing passes silently.
//
// A package that uses Open calls Main from its TestMain.
package dbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ehraz/ehraz/backoffice/database"
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
	dir     string
	pgCtl   string
	data    string
	cred    *syscall.Credential
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
	return fmt.Sprintf("host=%s port=5432 user=ehraz dbname=%s sslmode=disable", c.dir, dbname)
}

func (c *cluster) start() {
	if v := os.Getenv(EnvDSN); v != "" {
		c.dsn = v
		return
	}
	c.err = c.startLocal()
}

func (c *cluster) startLocal() error {
	bin, err := binDir()
	if err != nil {
		return err
	}
	c.pgCtl = filepath.Join(bin, "pg_ctl")
	c.dir, err = os.MkdirTemp("", "ehraz-pg-")
	if err != nil {
		return err
	}
	c.data = filepath.Join(c.dir, "data")
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root and no postgres user to run the cluster as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(c.dir, uid, gid); err != nil {
			return err
		}
	}
	if out, err := c.run(filepath.Join(bin, "initdb"), "-D", c.data, "-U", "ehraz", "--auth=trust", "-E", "UTF8", "--no-locale", "-N"); err != nil {
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	opts := fmt.Sprintf("-k %s -c listen_addresses='' -p 5432 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", c.dir)
	if out, err := c.run(c.pgCtl, "-D", c.data, "-o", opts, "-l", filepath.Join(c.dir, "log"), "-w", "-t", "30", "start"); err != nil {
		return fmt.Errorf("pg_ctl start: %v: %s", err, out)
	}
	c.dsn = c.dsnFor("postgres")
	return nil
}

func (c *cluster) run(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = c.dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C"}
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd.CombinedOutput()
}

func (c *cluster) stop() {
	if c.data == "" {
		return
	}
	c.run(c.pgCtl, "-D", c.data, "-m", "immediate", "stop")
	os.RemoveAll(c.dir)
}

// binDir finds PostgreSQL's server programs: Debian keeps them under
// /usr/lib/postgresql/<version>/bin, off PATH.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real), nil
		}
		return filepath.Dir(p), nil
	}
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(m) == 0 {
		return "", errors.New("PostgreSQL's initdb is not installed (Debian package postgresql)")
	}
	return filepath.Dir(m[len(m)-1]), nil
}
