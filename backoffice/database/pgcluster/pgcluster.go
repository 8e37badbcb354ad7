// Package pgcluster starts a throwaway PostgreSQL cluster for the back office's tests and its
// load bench (tools/fleetbench): initdb in a new temporary folder, a Unix socket of its own in
// that folder and no TCP port (nothing beyond the machine can reach it), run as the `postgres`
// user when the caller is root (PostgreSQL refuses root). Stop removes it all.
//
// Debian installs the server programs under /usr/lib/postgresql/<version>/bin, off PATH; BinDir
// finds them there.
package pgcluster

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
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
)

// User is the cluster's superuser (trust authentication over the cluster's own socket).
const User = "ehraz"

// Options choose how the cluster runs.
type Options struct {
	// Fast turns fsync, synchronous_commit and full_page_writes off: quicker, and fine for tests
	// that never crash the cluster. A cluster that is killed (Restart "immediate") must not be
	// fast: without synchronous_commit a commit already answered can be lost.
	Fast bool
	// Timeout bounds each pg_ctl and initdb call [1 minute].
	Timeout time.Duration
}

// Cluster is a running throwaway cluster.
type Cluster struct {
	dir   string // temporary folder: data/, the socket, the log
	data  string
	pgCtl string
	opts  string
	cred  *syscall.Credential
	limit time.Duration
}

// Start creates and starts a new cluster. On error nothing is left behind.
func Start(ctx context.Context, o Options) (_ *Cluster, err error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{pgCtl: filepath.Join(bin, "pg_ctl"), limit: o.Timeout}
	if c.limit <= 0 {
		c.limit = time.Minute
	}
	if c.dir, err = os.MkdirTemp("", "ehraz-pg-"); err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(c.dir)
		}
	}()
	c.data = filepath.Join(c.dir, "data")
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("pgcluster: running as root and no postgres user to run the cluster as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(c.dir, uid, gid); err != nil {
			return nil, fmt.Errorf("pgcluster: %w", err)
		}
	}
	if out, err := c.run(ctx, filepath.Join(bin, "initdb"), "-D", c.data, "-U", User, "--auth=trust", "-E", "UTF8", "--no-locale", "-N"); err != nil {
		return nil, fmt.Errorf("pgcluster: initdb: %v: %s", err, out)
	}
	c.opts = fmt.Sprintf("-k %s -c listen_addresses='' -p 5432", c.dir)
	if o.Fast {
		c.opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	if out, err := c.run(ctx, c.pgCtl, "-D", c.data, "-o", c.opts, "-l", c.logFile(), "-w", "-t", c.seconds(), "start"); err != nil {
		return nil, fmt.Errorf("pgcluster: pg_ctl start: %v: %s", err, out)
	}
	return c, nil
}

// DSN is the connection string of database dbname over the cluster's socket.
func (c *Cluster) DSN(dbname string) string {
	return fmt.Sprintf("host=%s port=5432 user=%s dbname=%s sslmode=disable", c.dir, User, dbname)
}

// CreateDatabase creates an empty database and returns its connection string.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) (string, error) {
	admin, err := sql.Open("pgx", c.DSN("postgres"))
	if err != nil {
		return "", fmt.Errorf("pgcluster: %w", err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("pgcluster: create database %s: %w", name, err)
	}
	return c.DSN(name), nil
}

// Restart stops the cluster in mode ("smart", "fast" or "immediate": the postmaster and every
// backend are killed without a checkpoint, as in a crash, and the start recovers from the WAL)
// and starts it again, waiting until it accepts connections.
func (c *Cluster) Restart(ctx context.Context, mode string) error {
	if out, err := c.run(ctx, c.pgCtl, "-D", c.data, "-o", c.opts, "-l", c.logFile(), "-m", mode, "-w", "-t", c.seconds(), "restart"); err != nil {
		return fmt.Errorf("pgcluster: pg_ctl restart -m %s: %v: %s", mode, err, out)
	}
	return nil
}

// Stop stops the cluster at once and removes its folder.
func (c *Cluster) Stop() error {
	_, err := c.run(context.Background(), c.pgCtl, "-D", c.data, "-m", "immediate", "-w", "stop")
	if rmErr := os.RemoveAll(c.dir); rmErr != nil {
		err = errors.Join(err, rmErr)
	}
	if err != nil {
		return fmt.Errorf("pgcluster: stop: %w", err)
	}
	return nil
}

// Log is the server's log so far (for a failure's message).
func (c *Cluster) Log() string {
	b, _ := os.ReadFile(c.logFile())
	return string(b)
}

func (c *Cluster) logFile() string { return filepath.Join(c.dir, "log") }

func (c *Cluster) seconds() string { return strconv.Itoa(int(c.limit / time.Second)) }

func (c *Cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.limit+10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = c.dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C"}
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd.CombinedOutput()
}

// BinDir finds PostgreSQL's server programs: on PATH, else Debian's
// /usr/lib/postgresql/<version>/bin (the newest).
func BinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real), nil
		}
		return filepath.Dir(p), nil
	}
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(m) == 0 {
		return "", errors.New("pgcluster: PostgreSQL's initdb is not installed (Debian package postgresql)")
	}
	return filepath.Dir(m[len(m)-1]), nil
}
