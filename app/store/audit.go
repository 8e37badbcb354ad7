package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Audit kinds.
const (
	AuditEvent    = "event"    // a flow transition (subject: event name)
	AuditVerdict  = "verdict"  // a check result (subject: step/attempt)
	AuditMedia    = "media"    // a media file stored (subject: name; detail: SHA-256)
	AuditOverride = "override" // an operator decision (subject: step)
	AuditPurge    = "purge"    // a session purged or wiped
	AuditKeys     = "keys"     // a key rotation
)

// AuditEntry is one row of the audit chain. It never holds personal data.
type AuditEntry struct {
	Seq       int64
	At        time.Time
	SessionID string
	Kind      string
	Subject   string
	Detail    string
	PrevHash  []byte
	Hash      []byte
}

// canonical is the byte string an entry's hash covers: every field length-prefixed, so no two
// different rows share an encoding.
func canonical(seq int64, atMS int64, sessionID, kind, subject, detail string) []byte {
	var b bytes.Buffer
	for _, f := range []string{strconv.FormatInt(seq, 10), strconv.FormatInt(atMS, 10), sessionID, kind, subject, detail} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		b.Write(n[:])
		b.WriteString(f)
	}
	return b.Bytes()
}

func chainHash(prev []byte, seq, atMS int64, sessionID, kind, subject, detail string) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(canonical(seq, atMS, sessionID, kind, subject, detail))
	return h.Sum(nil)
}

// genesis is the previous hash of the first entry.
var genesis = make([]byte, sha256.Size)

// appendAudit adds one entry inside tx. Write transactions are BEGIN IMMEDIATE, so reading the
// head and appending cannot interleave with another writer.
func appendAudit(ctx context.Context, tx *sql.Tx, at time.Time, sessionID, kind, subject, detail string) error {
	var seq int64
	prev := genesis
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		seq, prev = 0, genesis
	} else if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	seq++
	atMS := at.UnixMilli()
	h := chainHash(prev, seq, atMS, sessionID, kind, subject, detail)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit (seq, at, session_id, kind, subject, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, seq, atMS, sessionID, kind, subject, detail, prev, h); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	return nil
}

// AuditBreak says where the chain stops being valid.
type AuditBreak struct {
	Seq    int64  // the first row that does not verify
	Reason string // "hash" (row fields altered), "link" (previous row removed or altered), "sequence" (gap)
}

func (b *AuditBreak) Error() string {
	return fmt.Sprintf("audit chain broken at row %d (%s)", b.Seq, b.Reason)
}

// VerifyAudit recomputes the whole chain. It returns the number of rows checked, and an
// *AuditBreak naming the first altered row, or nil. Removing the newest rows cannot be seen
// from the chain alone: compare the head (AuditHead) with a copy kept elsewhere.
func VerifyAudit(ctx context.Context, db *sql.DB) (int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT seq, at, session_id, kind, subject, detail, prev_hash, hash FROM audit ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("audit verify: %w", err)
	}
	defer rows.Close()
	prev := genesis
	var n, want int64 = 0, 1
	for rows.Next() {
		var e AuditEntry
		var atMS int64
		if err := rows.Scan(&e.Seq, &atMS, &e.SessionID, &e.Kind, &e.Subject, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return n, fmt.Errorf("audit verify: %w", err)
		}
		switch {
		case e.Seq != want:
			return n, &AuditBreak{Seq: e.Seq, Reason: "sequence"}
		case !bytes.Equal(e.PrevHash, prev):
			return n, &AuditBreak{Seq: e.Seq, Reason: "link"}
		case !bytes.Equal(e.Hash, chainHash(e.PrevHash, e.Seq, atMS, e.SessionID, e.Kind, e.Subject, e.Detail)):
			return n, &AuditBreak{Seq: e.Seq, Reason: "hash"}
		}
		prev = e.Hash
		want++
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("audit verify: %w", err)
	}
	return n, nil
}

// AuditHead returns the newest entry's sequence number and hash (hex), to be noted outside the
// kiosk so truncation of the chain can be detected.
func AuditHead(ctx context.Context, db *sql.DB) (int64, string, error) {
	var seq int64
	var h []byte
	err := db.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq, &h)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, hex.EncodeToString(genesis), nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("audit head: %w", err)
	}
	return seq, hex.EncodeToString(h), nil
}

// OpenReadOnly opens a database file for reading only (audit verify, reports), without keys.
func OpenReadOnly(ctx context.Context, path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}
