package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3" // cgo SQLite driver

	"github.com/ehraz/ehraz/app/flow"
)

var (
	_ flow.Store       = (*Store)(nil)
	_ flow.MediaReader = (*Store)(nil)
)

// ErrNotFound is returned for an unknown session; it is the flow's ErrSessionGone.
var ErrNotFound = flow.ErrSessionGone

// ErrReadOnly is returned by Open when the data folder cannot be written.
var ErrReadOnly = errors.New("data folder is not writable")

// Options configure Open.
type Options struct {
	// Path is the database file; its folder is the data folder.
	Path string
	// MediaDir holds the sealed media files [<data folder>/media].
	MediaDir string
	// Keys, when set, are the store keys (32 bytes each): the first seals, all read.
	Keys [][]byte
	// KeyFile is used when Keys is empty and EHRAZ_STORE_KEY is unset: created (0600) when
	// missing and the database is new; a pending rotation's key and retired keys beside it are
	// loaded for reading.
	KeyFile string
	// Now is the clock for audit entries of operator actions [time.Now].
	Now func() time.Time
	// Schemas are the migrations of the other packages whose tables live in this database (the
	// OTP codes, the outbox), applied at open together with the store's own in version order.
	// Purge applies each schema's Retention.
	Schemas []Schema
}

// Store is the SQLite session store. It is safe for concurrent use.
type Store struct {
	db       *sql.DB
	dataDir  string
	mediaDir string
	keyFile  string
	now      func() time.Time

	mu   sync.RWMutex // guards keys (rotation swaps the active key)
	keys *keyring
	lock *dirLock
	// retention is the other packages' part of the purge (Options.Schemas).
	retention []Retention
}

// Open opens (creating when needed) the database and applies the pending migrations.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Path == "" {
		return nil, errors.New("store: empty database path")
	}
	dataDir := filepath.Dir(o.Path)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("store: %w: %w", ErrReadOnly, err)
	}
	if err := checkWritable(dataDir); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	_, statErr := os.Stat(o.Path)
	dbExists := statErr == nil
	keys, err := loadKeyring(o, dbExists)
	if err != nil {
		return nil, err
	}
	lock, err := lockShared(dataDir)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if o.MediaDir == "" {
		o.MediaDir = filepath.Join(dataDir, "media")
	}
	if err := os.MkdirAll(o.MediaDir, 0o700); err != nil {
		return nil, fmt.Errorf("store: media folder: %w", err)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	db, err := sql.Open("sqlite3", dsn(o.Path))
	if err != nil {
		lock.close()
		return nil, fmt.Errorf("store: open %s: %w", o.Path, err)
	}
	s := &Store{db: db, dataDir: dataDir, mediaDir: o.MediaDir, keyFile: o.KeyFile, now: o.Now, keys: keys, lock: lock}
	for _, sc := range o.Schemas {
		s.retention = append(s.retention, sc.Retention)
	}
	if err := db.PingContext(ctx); err != nil {
		s.closeQuietly()
		return nil, fmt.Errorf("store: open %s: %w", o.Path, err)
	}
	ms, err := loadMigrations(append([]Schema{ownSchema()}, o.Schemas...)...)
	if err != nil {
		s.closeQuietly()
		return nil, fmt.Errorf("store: %w", err)
	}
	for i := range ms {
		if ms[i].owner == "store" && ms[i].version == auditKeyedVersion {
			ms[i].after = s.keyLegacyAudit
		}
		if ms[i].owner == "store" && ms[i].version == trackingHashVersion {
			ms[i].after = s.fillTrackingHashes
		}
	}
	if _, err := migrate(ctx, db, ms, o.Now()); err != nil {
		s.closeQuietly()
		return nil, fmt.Errorf("store: %w", err)
	}
	return s, nil
}

// dsn turns on WAL, foreign keys, a busy timeout, full fsync, secure delete (freed pages are
// zeroed) and BEGIN IMMEDIATE, so concurrent writers queue instead of failing on a lock upgrade.
func dsn(path string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_synchronous", "FULL")
	q.Set("_secure_delete", "on")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// DB is the shared database, for the packages (OTP, outbox) whose tables live in it.
func (s *Store) DB() *sql.DB { return s.db }

// DataDir is the folder holding the database and media.
func (s *Store) DataDir() string { return s.dataDir }

// Close checkpoints the WAL, closes the database and releases the folder lock.
func (s *Store) Close() error {
	if s.lock != nil {
		_, _ = s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	err := s.db.Close()
	if s.lock != nil {
		s.lock.close()
	}
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

func (s *Store) closeQuietly() {
	s.db.Close()
	s.lock.close()
}

// ActiveKeyID names the key that seals new data ("" for a store opened by OpenInfo).
func (s *Store) ActiveKeyID() string {
	k, _ := s.activeKey()
	if k == nil {
		return ""
	}
	return k.id
}

// activeKey is the sealing key, or ErrNoKey for a store opened without keys.
func (s *Store) activeKey() (*key, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.keys.active == nil {
		return nil, ErrNoKey
	}
	return s.keys.active, nil
}

// OpenInfo opens an existing database read-only and without keys: the non-personal reads
// (Sessions, Today, Info, VerifyAudit on DB()) work; anything that seals or opens data fails
// with ErrNoKey or ErrUnreadable. No migration runs and nothing is written.
func OpenInfo(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	db, err := OpenReadOnly(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	dataDir := filepath.Dir(path)
	return &Store{db: db, dataDir: dataDir, mediaDir: filepath.Join(dataDir, "media"), now: time.Now,
		keys: &keyring{byID: map[string]*key{}}}, nil
}

// IntegrityCheck runs SQLite's integrity_check and foreign_key_check.
func (s *Store) IntegrityCheck(ctx context.Context) error { return IntegrityCheck(ctx, s.db) }

// IntegrityCheck runs SQLite's integrity_check and foreign_key_check on db.
func IntegrityCheck(ctx context.Context, db *sql.DB) error {
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	rows, err := db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		return errors.New("foreign key check: dangling rows")
	}
	return rows.Err()
}

func (s *Store) withTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback() //nolint:errcheck // the first error is the one that matters
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}
