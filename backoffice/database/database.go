// Package database opens the back office's own database on one of two engines and brings its
// schema up to date with versioned migrations (pressly/goose, embedded SQL files under
// migrations/<engine>/): the intake's dossiers, their review lifecycle and audit trail, the
// kiosks' amendments, and the review console's accounts and sessions. SQLite is the embedded
// default (one file, `make run`); PostgreSQL (driver pgx) is the fleet engine, where several
// back-office processes behind a load balancer share one database — dossiers and their sealed
// media live in it, so any process can serve any dossier. Each migration runs in a transaction,
// so one that fails leaves the database at the version before it and Open returns the error.
//
// The packages above write their SQL once, with `?` placeholders; DB rewrites them to `$n` for
// PostgreSQL. Both engines take the same statements otherwise (INSERT … ON CONFLICT DO NOTHING,
// RETURNING, partial unique indexes).
package database

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the fleet engine ("pgx")
	"github.com/mattn/go-sqlite3"
	"github.com/pressly/goose/v3"
)

//go:embed migrations
var migrations embed.FS

// Engines.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// MaxPostgresConns bounds one back-office process's connections to PostgreSQL, so that a few
// processes behind a load balancer fit in the server's max_connections (100 by default).
const MaxPostgresConns = 20

// MaxSQLiteConns bounds one process's connections to its SQLite file.
const MaxSQLiteConns = 8

// DB is the back office's database: a *sql.DB that knows its engine and rewrites placeholders.
type DB struct {
	*sql.DB
	Engine string
}

// Open opens the database of engine (SQLite: source is a file path; PostgreSQL: a connection
// string) and migrates it.
func Open(ctx context.Context, engine, source string) (*DB, error) {
	var (
		sdb *sql.DB
		err error
	)
	switch engine {
	case SQLite, "":
		engine = SQLite
		// WAL lets the console read while a kiosk's dossier is written; synchronous=FULL makes an
		// answered 201 durable across a power cut (the kiosk drops its copy once it has our
		// receipt); immediate transactions take the write lock at BEGIN, so a read-then-write
		// never fails on a lock upgrade.
		sdb, err = sql.Open("sqlite3", "file:"+source+"?_journal_mode=WAL&_busy_timeout=5000&_synchronous=FULL&_foreign_keys=on&_txlock=immediate")
		if err == nil {
			// One writer at a time is SQLite's nature: beyond a few connections, waiting requests
			// spin on the write lock until busy_timeout and answer 500. Queued in Go instead
			// (tools/fleetbench, 200 kiosks × 50 with 3 kills, interleaved A/B: 5xx 257/131 → 0/1,
			// p95 5.5/3.7 s → 2.9/2.1 s, throughput 231/305 → 294/338 dossiers/s; p50 rises from
			// ~20 ms to ~400 ms under that load).
			sdb.SetMaxOpenConns(MaxSQLiteConns)
			sdb.SetMaxIdleConns(MaxSQLiteConns)
		}
	case Postgres:
		sdb, err = sql.Open("pgx", source)
		if err == nil {
			// Bounded: without it a burst of kiosks opens a connection each and the server refuses
			// the 101st ("too many clients", max_connections 100 by default), which the kiosks saw
			// as 401 and 500 (tools/fleetbench, 200 kiosks). Requests wait for a free connection.
			sdb.SetMaxOpenConns(MaxPostgresConns)
			sdb.SetMaxIdleConns(MaxPostgresConns)
		}
	default:
		return nil, fmt.Errorf("back office database: unknown engine %q (sqlite or postgres)", engine)
	}
	if err != nil {
		return nil, fmt.Errorf("open back office database (%s): %w", engine, err)
	}
	db := &DB{DB: sdb, Engine: engine}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("back office database (%s): %w", engine, err)
	}
	if err := db.Migrate(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("back office database (%s): %w", engine, err)
	}
	return db, nil
}

func (db *DB) provider() (*goose.Provider, error) {
	dialect := goose.DialectSQLite3
	if db.Engine == Postgres {
		dialect = goose.DialectPostgres
	}
	sub, err := fs.Sub(migrations, "migrations/"+db.Engine)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(dialect, db.DB, sub)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Migrate applies the migrations the database lacks.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Version is the schema version the database is at.
func (db *DB) Version(ctx context.Context) (int64, error) {
	p, err := db.provider()
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

// Rebind rewrites `?` placeholders for the engine ($1, $2 … for PostgreSQL). A `?` inside a
// quoted literal is left alone.
func (db *DB) Rebind(q string) string {
	if db.Engine != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n, quoted := 0, false
	for _, r := range q {
		switch {
		case r == '\'':
			quoted = !quoted
		case r == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ExecContext, QueryContext and QueryRowContext rebind q and run it.
func (db *DB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.DB.ExecContext(ctx, db.Rebind(q), args...)
}

func (db *DB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.DB.QueryContext(ctx, db.Rebind(q), args...)
}

func (db *DB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return db.DB.QueryRowContext(ctx, db.Rebind(q), args...)
}

// Tx is a transaction that rebinds like its DB.
type Tx struct {
	*sql.Tx
	db *DB
}

// BeginTx starts a transaction.
func (db *DB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	tx, err := db.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Tx{Tx: tx, db: db}, nil
}

func (tx *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.Tx.ExecContext(ctx, tx.db.Rebind(q), args...)
}

func (tx *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return tx.Tx.QueryContext(ctx, tx.db.Rebind(q), args...)
}

func (tx *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.Tx.QueryRowContext(ctx, tx.db.Rebind(q), args...)
}

// InTx runs fn in a transaction, committed when fn returns nil and rolled back otherwise.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// IsUniqueViolation reports whether err is a unique-constraint violation on either engine.
func IsUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
