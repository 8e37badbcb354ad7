// Package database opens the back office's own database and brings its schema up to date with
// versioned migrations (pressly/goose, embedded SQL files under migrations/<engine>/): the
// intake's dossiers, their review lifecycle and audit trail, the kiosks' amendments, and the
// review console's accounts and sessions. Each migration runs in a transaction, so one that fails
// leaves the database at the version before it and Open returns the error.
package database

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	_ "github.com/mattn/go-sqlite3" // the embedded engine
	"github.com/pressly/goose/v3"
)

//go:embed migrations
var migrations embed.FS

// Open opens (creating if needed) the SQLite database at path and migrates it. WAL lets the
// console read while a kiosk's dossier is written; synchronous=FULL makes an answered 201 durable
// across a power cut (the kiosk drops its copy once it has our receipt).
func Open(ctx context.Context, path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=5000&_synchronous=FULL&_foreign_keys=on&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open back office database %s: %w", path, err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("back office database %s: %w", path, err)
	}
	return db, nil
}

// Migrate applies the migrations db lacks.
func Migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations/sqlite")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Version is the schema version db is at.
func Version(ctx context.Context, db *sql.DB) (int64, error) {
	sub, err := fs.Sub(migrations, "migrations/sqlite")
	if err != nil {
		return 0, err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	return p.GetDBVersion(ctx)
}
