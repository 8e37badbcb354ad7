package pgcluster

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"
)

// A durable cluster keeps a committed row across a crash (restart in immediate mode), and Stop
// leaves nothing behind.
func TestRestartImmediateKeepsCommits(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{})
	if err != nil {
		t.Skipf("SKIP (PostgreSQL NOT TESTED): no throwaway cluster: %v", err)
	}
	stopped := false
	defer func() {
		if !stopped {
			c.Stop()
		}
	}()
	dsn, err := c.CreateDatabase(ctx, "pgcluster_test")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (v INT); INSERT INTO t VALUES (42)`); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(ctx, "immediate"); err != nil {
		t.Fatal(err)
	}
	var v int
	for range 3 { // the pool's connections died with the server: the first tries may meet one
		if err = db.QueryRowContext(ctx, `SELECT v FROM t`).Scan(&v); err == nil {
			break
		}
	}
	if err != nil || v != 42 {
		t.Fatalf("after an immediate restart: %d, %v; want 42", v, err)
	}
	if _, err := c.CreateDatabase(ctx, "pgcluster_test"); err == nil {
		t.Error("a second database of the same name was created")
	}
	db.Close()
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped = true
	if _, err := os.Stat(c.dir); !os.IsNotExist(err) {
		t.Errorf("the cluster's folder %s is still there: %v", c.dir, err)
	}
}
