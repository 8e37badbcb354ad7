package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// Each package that keeps tables in the kiosk's database owns its migrations: SQL files named
// NNNN_name.sql, embedded in that package (the store's own sessions tables here, the OTP codes
// in services/otp, the outbox in app/outbox). The wiring hands the other packages' sets to Open
// as Options.Schemas; the store merges them with its own and applies every one not yet recorded
// in numeric order, each inside its own transaction together with its row in schema_migrations,
// so a crash leaves a migration either fully applied or not at all. Versions are unique across
// all packages (00NN the store's, 01NN the services'), which keeps the order stable and lets a
// database made when all files lived in app/store/migrations open without re-running anything:
// a migration is known by its version. Files are never edited once shipped: a change is a new
// file.
//
// A small runner rather than goose or golang-migrate: this database is SQLite only (the
// PostgreSQL of the fleet issue is the back office's), existing kiosks record their migrations
// in schema_migrations (version, name, applied_at), which goose would have to take over, and
// both libraries want their own file conventions ("-- +goose Up" annotations, .up.sql/.down.sql
// pairs) while the kiosk never migrates down.

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Schema is one package's migrations: files NNNN_name.sql in the folder Dir of FS ("" or "."
// for its root).
type Schema struct {
	// Owner names the package, for error messages ("otp", "outbox").
	Owner string
	FS    fs.FS
	Dir   string
	// Retention says what a purge removes of the owner's rows; the owner writes its SQL.
	Retention Retention
}

// Retention is an owner's part of the retention purge, as SQL on the shared database.
type Retention struct {
	// ForgetSession deletes the owner's rows of one purged session (one ? parameter: the session
	// id). It runs in the same transaction that deletes the session.
	ForgetSession string
	// Log names rows kept for a while only (e.g. "otp_sends", the OTP rate limits' send log);
	// CountLog and DeleteLog take one ? parameter, the cut-off in Unix milliseconds, and LogKept
	// is how long such rows are kept.
	Log                 string
	CountLog, DeleteLog string
	LogKept             time.Duration
}

// ownSchema is the store's own tables (sessions, events, checks, media, audit).
// root is the folder holding the schema's files.
func (sc Schema) root() (fs.FS, error) {
	if sc.Dir == "" || sc.Dir == "." {
		return sc.FS, nil
	}
	return fs.Sub(sc.FS, sc.Dir)
}

func ownSchema() Schema { return Schema{Owner: "store", FS: migrationFiles, Dir: "migrations"} }

var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

type migration struct {
	version int
	owner   string
	name    string
	sql     string
	// after, when set, runs in the migration's transaction after its SQL (a data change SQL
	// cannot make, such as keying the audit chain).
	after func(context.Context, *sql.Tx) error
}

// loadMigrations reads every schema's files and returns them in version order; two files with
// one version (in one package or across packages) are refused.
func loadMigrations(schemas ...Schema) ([]migration, error) {
	var out []migration
	seen := map[int]string{}
	for _, sc := range schemas {
		dir, err := sc.root()
		if err != nil {
			return nil, fmt.Errorf("read %s migrations: %w", sc.Owner, err)
		}
		entries, err := fs.ReadDir(dir, ".")
		if err != nil {
			return nil, fmt.Errorf("read %s migrations: %w", sc.Owner, err)
		}
		for _, e := range entries {
			m := migrationName.FindStringSubmatch(e.Name())
			if m == nil {
				return nil, fmt.Errorf("%s migration file %q: want NNNN_name.sql", sc.Owner, e.Name())
			}
			v, _ := strconv.Atoi(m[1])
			where := sc.Owner + "/" + e.Name()
			if prev, dup := seen[v]; dup {
				return nil, fmt.Errorf("migrations %s and %s share version %d", prev, where, v)
			}
			seen[v] = where
			b, err := fs.ReadFile(dir, e.Name())
			if err != nil {
				return nil, fmt.Errorf("read migration %s: %w", where, err)
			}
			out = append(out, migration{version: v, owner: sc.Owner, name: e.Name(), sql: string(b)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// migrate applies every migration not yet recorded and returns how many it applied.
func migrate(ctx context.Context, db *sql.DB, ms []migration, now time.Time) (int, error) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL)`); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	applied := 0
	for _, m := range ms {
		done, err := applyOne(ctx, db, m, now)
		if err != nil {
			return applied, err
		}
		if done {
			applied++
		}
	}
	return applied, nil
}

func applyOne(ctx context.Context, db *sql.DB, m migration, now time.Time) (bool, error) {
	where := m.owner + "/" + m.name
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migration %s: begin: %w", where, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return false, fmt.Errorf("migration %s: %w", where, err)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migration %s: %w", where, err)
	}
	if m.after != nil {
		if err := m.after(ctx, tx); err != nil {
			return false, fmt.Errorf("migration %s: %w", where, err)
		}
	}
	// The name is the file's name alone, as recorded before the files moved to their packages.
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, now.UnixMilli()); err != nil {
		return false, fmt.Errorf("migration %s: record: %w", where, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %s: commit: %w", where, err)
	}
	return true, nil
}
