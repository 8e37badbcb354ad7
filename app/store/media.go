package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

var mediaNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// mediaRel is a media file's path relative to the data folder. Names are checked, so a name
// cannot climb out of the session's folder.
func (s *Store) mediaRel(sessionID, name string) (string, error) {
	if err := checkID(sessionID); err != nil {
		return "", err
	}
	if !mediaNamePattern.MatchString(name) || name == "." || name == ".." {
		return "", fmt.Errorf("media name %q: want lower-case letters, digits, '.', '-' or '_'", name)
	}
	abs := filepath.Join(s.mediaDir, sessionID, name+".sealed")
	rel, err := filepath.Rel(s.dataDir, abs)
	if err != nil {
		return abs, nil //nolint:nilerr // media folder outside the data folder: keep it absolute
	}
	return rel, nil
}

func (s *Store) absPath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.dataDir, p)
}

// PutMedia seals data into <media>/<session>/<name>.sealed (atomically) and indexes it; a second
// call with the same name replaces the file (a retake). It returns the SHA-256 (hex) of data.
func (s *Store) PutMedia(ctx context.Context, sessionID, name, format string, data []byte) (_ string, err error) {
	defer func() { err = diskFull(err) }()
	rel, err := s.mediaRel(sessionID, name)
	if err != nil {
		return "", fmt.Errorf("store: put media: %w", err)
	}
	var exists int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE id = ? AND wiped = 0`, sessionID).Scan(&exists); err != nil {
		return "", fmt.Errorf("store: put media: %w", err)
	}
	if exists == 0 {
		return "", fmt.Errorf("store: put media: %w", ErrNotFound)
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	k, err := s.activeKey()
	if err != nil {
		return "", fmt.Errorf("store: put media: %w", err)
	}
	sealed, err := seal(k, data, mediaAD(sessionID, name))
	if err != nil {
		return "", fmt.Errorf("store: put media: %w", err)
	}
	if err := writeAtomic(s.absPath(rel), sealed); err != nil {
		return "", fmt.Errorf("store: put media %s: %w", name, err)
	}
	at := s.now()
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO media (session_id, name, format, path, sha256, size, key_id, stored_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (session_id, name) DO UPDATE SET format = excluded.format, path = excluded.path,
			sha256 = excluded.sha256, size = excluded.size, key_id = excluded.key_id, stored_at = excluded.stored_at`,
			sessionID, name, format, rel, digest, len(data), k.id, ms(at)); err != nil {
			return fmt.Errorf("index media: %w", err)
		}
		keyed, err := s.mediaHash(ctx, tx, sum[:])
		if err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, at, sessionID, AuditMedia, name, keyed)
	})
	if err != nil {
		return "", fmt.Errorf("store: put media %s: %w", name, err)
	}
	return digest, nil
}

// MediaInfo is one row of the media index (no contents).
type MediaInfo struct {
	Name   string
	Format string
	SHA256 string
	Size   int64
	KeyID  string
	Path   string // relative to the data folder
}

func (s *Store) mediaIndex(ctx context.Context, sessionID string) ([]MediaInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, format, sha256, size, key_id, path FROM media WHERE session_id = ? ORDER BY name`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("media index: %w", err)
	}
	defer rows.Close()
	var out []MediaInfo
	for rows.Next() {
		var m MediaInfo
		if err := rows.Scan(&m.Name, &m.Format, &m.SHA256, &m.Size, &m.KeyID, &m.Path); err != nil {
			return nil, fmt.Errorf("media index: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Store) mediaPaths(ctx context.Context, sessionID string) ([]string, error) {
	idx, err := s.mediaIndex(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(idx))
	for i, m := range idx {
		out[i] = s.absPath(m.Path)
	}
	return out, nil
}

// shredAll shreds the given files and then the session's media folder with anything left in it.
func (s *Store) shredAll(paths []string, sessionID string) error {
	var errs []error
	for _, p := range paths {
		errs = append(errs, shred(p))
	}
	if checkID(sessionID) == nil {
		dir := filepath.Join(s.mediaDir, sessionID)
		left, _ := os.ReadDir(dir)
		for _, e := range left {
			if !e.IsDir() {
				errs = append(errs, shred(filepath.Join(dir, e.Name())))
			}
		}
		if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove media folder: %w", err))
		}
	}
	return errors.Join(errs...)
}

// readMedia opens one indexed file and checks its SHA-256 against the index.
func (s *Store) readMedia(sessionID string, m MediaInfo) ([]byte, error) {
	sealed, err := os.ReadFile(s.absPath(m.Path))
	if err != nil {
		return nil, fmt.Errorf("media %s: %w", m.Name, err)
	}
	s.mu.RLock()
	keys := s.keys
	s.mu.RUnlock()
	plain, _, err := keys.open(m.KeyID, sealed, mediaAD(sessionID, m.Name))
	if err != nil {
		return nil, fmt.Errorf("media %s: %w", m.Name, err)
	}
	sum := sha256.Sum256(plain)
	if hex.EncodeToString(sum[:]) != m.SHA256 {
		return nil, fmt.Errorf("media %s: SHA-256 differs from the index", m.Name)
	}
	return plain, nil
}

// Media returns the session's media, decrypted, in name order.
func (s *Store) Media(ctx context.Context, sessionID string) ([]PlainMedia, error) {
	idx, err := s.mediaIndex(ctx, sessionID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	out := make([]PlainMedia, 0, len(idx))
	for _, m := range idx {
		b, err := s.readMedia(sessionID, m)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, PlainMedia{Name: m.Name, Format: m.Format, Data: b})
	}
	return out, nil
}

// ReadMedia returns one stored file of the session, decrypted and checked (flow.MediaReader).
func (s *Store) ReadMedia(ctx context.Context, sessionID, name string) ([]byte, string, error) {
	idx, err := s.mediaIndex(ctx, sessionID)
	if err != nil {
		return nil, "", fmt.Errorf("store: read media: %w", err)
	}
	for _, m := range idx {
		if m.Name == name {
			b, err := s.readMedia(sessionID, m)
			if err != nil {
				return nil, "", fmt.Errorf("store: read media: %w", err)
			}
			return b, m.Format, nil
		}
	}
	return nil, "", fmt.Errorf("store: read media %s: %w", name, ErrNotFound)
}
