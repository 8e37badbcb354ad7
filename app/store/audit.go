package store

import (
	"bytes"
	"context"
	"crypto/hmac"
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
	AuditMedia    = "media"    // a media file stored (subject: name; detail: keyed hash, MediaAuditHash)
	AuditOverride = "override" // an operator decision (subject: step)
	AuditPurge    = "purge"    // a session purged or wiped
	AuditKeys     = "keys"     // a key rotation, or the chain keyed for the first time
)

// The audit chain is keyed: each row's MAC is HMAC-SHA256 under the chain key over the previous
// row's MAC and the row's fields, so nobody without the store key can rewrite, drop or reorder
// rows and fix the chain up again. The chain key and the media-hash key are derived from the store
// key (HMAC of the store key over a label), never written anywhere; the row's key_id names the
// store key they came from. A key rotation re-keys the whole chain under the new key in the
// transaction that records the rotation (every row is verified under the old key first), so the
// chain is always under one key. Media rows hold a keyed hash of the file (MediaAuditHash):
// holding a person's photo is not enough to confirm that person used the kiosk.
const (
	chainLabel = "ehraz audit-chain v1"
	mediaLabel = "ehraz audit-media v1"
)

// derive returns HMAC-SHA256(k, label): a sub-key for one purpose.
func (k *key) derive(label string) []byte {
	m := hmac.New(sha256.New, k.raw)
	m.Write([]byte(label))
	return m.Sum(nil)
}

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
	KeyID     string // the store key the row's MAC is under ("" for a row written before keying)
}

// canonical is the byte string an entry's MAC covers: every field length-prefixed, so no two
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

// chainMAC is a keyed row's MAC under the chain key ck.
func chainMAC(ck, prev []byte, seq, atMS int64, sessionID, kind, subject, detail string) []byte {
	m := hmac.New(sha256.New, ck)
	m.Write(prev)
	m.Write(canonical(seq, atMS, sessionID, kind, subject, detail))
	return m.Sum(nil)
}

// legacyHash is the unkeyed SHA-256 chain of databases made before migration 0003; it is only
// checked once, when that migration keys the chain.
func legacyHash(prev []byte, seq, atMS int64, sessionID, kind, subject, detail string) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(canonical(seq, atMS, sessionID, kind, subject, detail))
	return h.Sum(nil)
}

// mediaAuditHash is the keyed hash an audit row keeps of a media file, from its plain SHA-256.
func mediaAuditHash(mk, sum []byte) string {
	m := hmac.New(sha256.New, mk)
	m.Write(sum)
	return hex.EncodeToString(m.Sum(nil))
}

// MediaAuditHash is the keyed hash (hex) the audit row of a stored file holds: HMAC-SHA256 under
// a key derived from the store key storeKey, over the file's SHA-256. An auditor with the store
// key can tie a file (or a dossier's media, whose plain SHA-256 it carries) to its audit row.
func MediaAuditHash(storeKey []byte, sha256Hex string) (string, error) {
	k, err := newKey(storeKey)
	if err != nil {
		return "", err
	}
	sum, err := hex.DecodeString(sha256Hex)
	if err != nil || len(sum) != sha256.Size {
		return "", fmt.Errorf("media hash: want %d hex bytes", sha256.Size)
	}
	return mediaAuditHash(k.derive(mediaLabel), sum), nil
}

// genesis is the previous MAC of the first entry.
var genesis = make([]byte, sha256.Size)

// chainKey returns the key the next row is MACed under: the key of the chain's newest row, or the
// active key for an empty chain or one whose head is unkeyed (a legacy chain left broken).
func (s *Store) chainKey(headKeyID string) (*key, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if headKeyID != "" {
		if k, ok := s.keys.byID[headKeyID]; ok {
			return k, nil
		}
		return nil, fmt.Errorf("audit: the chain's key %s is not loaded: %w", headKeyID, ErrNoKey)
	}
	if s.keys.active == nil {
		return nil, ErrNoKey
	}
	return s.keys.active, nil
}

// appendAudit adds one entry inside tx. Write transactions are BEGIN IMMEDIATE, so reading the
// head and appending cannot interleave with another writer.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, at time.Time, sessionID, kind, subject, detail string) error {
	var seq int64
	var headKey string
	prev := genesis
	err := tx.QueryRowContext(ctx, `SELECT seq, hash, key_id FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev, &headKey)
	if errors.Is(err, sql.ErrNoRows) {
		seq, prev = 0, genesis
	} else if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	k, err := s.chainKey(headKey)
	if err != nil {
		return err
	}
	seq++
	atMS := at.UnixMilli()
	h := chainMAC(k.derive(chainLabel), prev, seq, atMS, sessionID, kind, subject, detail)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit (seq, at, session_id, kind, subject, detail, prev_hash, hash, key_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, seq, atMS, sessionID, kind, subject, detail, prev, h, k.id); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	return nil
}

// mediaHash is the keyed hash of data for its audit row, under the chain's current key.
func (s *Store) mediaHash(ctx context.Context, tx *sql.Tx, sum []byte) (string, error) {
	var headKey string
	err := tx.QueryRowContext(ctx, `SELECT key_id FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&headKey)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("audit head: %w", err)
	}
	k, err := s.chainKey(headKey)
	if err != nil {
		return "", err
	}
	return mediaAuditHash(k.derive(mediaLabel), sum), nil
}

// AuditBreak says where the chain stops being valid.
type AuditBreak struct {
	Seq    int64  // the first row that does not verify
	Reason string // "hash" (row fields altered), "link" (previous row removed or altered), "sequence" (gap), "unkeyed" (no MAC key named), "key" (a row names another key than the chain's)
}

func (b *AuditBreak) Error() string {
	return fmt.Sprintf("audit chain broken at row %d (%s)", b.Seq, b.Reason)
}

// ErrAuditUnverifiable is returned when the chain's MACs cannot be checked: the store key it is
// under was not given. Nothing is said about the chain then — it is not a pass.
var ErrAuditUnverifiable = errors.New("audit chain could not be verified: its store key is not loaded")

// AuditHeadRow is the newest row of the chain as noted outside the kiosk (in every dossier): a
// later chain that lacks this row, or has another MAC at this sequence number, was cut or
// rewritten.
type AuditHeadRow struct {
	Seq   int64
	MAC   string // hex
	KeyID string
}

// VerifyAudit recomputes the whole chain of db under the given store keys (32 bytes each, as the
// store's key file holds them; the chain's own key must be among them). It returns the number of
// rows checked, and an *AuditBreak naming the first altered, removed or reordered row, or
// ErrAuditUnverifiable when the chain's key is not among keys. With heads (values noted
// elsewhere, e.g. from the dossiers), a head the chain no longer contains is reported as a break
// at that sequence number ("truncated" when the chain is shorter, "head" when it differs).
func VerifyAudit(ctx context.Context, db *sql.DB, keys [][]byte, heads ...AuditHeadRow) (int64, error) {
	ring := map[string]*key{}
	for _, raw := range keys {
		k, err := newKey(raw)
		if err != nil {
			return 0, fmt.Errorf("audit verify: %w", err)
		}
		ring[k.id] = k
	}
	return verifyChain(ctx, db, ring, heads)
}

// VerifyAudit recomputes the store's chain with the store's keys (see the package function).
func (s *Store) VerifyAudit(ctx context.Context, heads ...AuditHeadRow) (int64, error) {
	s.mu.RLock()
	ring := make(map[string]*key, len(s.keys.byID))
	for id, k := range s.keys.byID {
		ring[id] = k
	}
	s.mu.RUnlock()
	return verifyChain(ctx, s.db, ring, heads)
}

func verifyChain(ctx context.Context, db *sql.DB, ring map[string]*key, heads []AuditHeadRow) (int64, error) {
	want := map[int64]string{}
	var maxHead int64
	for _, h := range heads {
		want[h.Seq] = h.MAC
		maxHead = max(maxHead, h.Seq)
	}
	rows, err := db.QueryContext(ctx, `SELECT seq, at, session_id, kind, subject, detail, prev_hash, hash, key_id FROM audit ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("audit verify: %w", err)
	}
	defer rows.Close()
	prev := genesis
	var n, next int64 = 0, 1
	chainKeyID := ""
	var ck []byte
	for rows.Next() {
		var e AuditEntry
		var atMS int64
		if err := rows.Scan(&e.Seq, &atMS, &e.SessionID, &e.Kind, &e.Subject, &e.Detail, &e.PrevHash, &e.Hash, &e.KeyID); err != nil {
			return n, fmt.Errorf("audit verify: %w", err)
		}
		if e.KeyID == "" {
			return n, &AuditBreak{Seq: e.Seq, Reason: "unkeyed"}
		}
		if ck == nil {
			k, ok := ring[e.KeyID]
			if !ok {
				return n, fmt.Errorf("%w (key %s)", ErrAuditUnverifiable, e.KeyID)
			}
			chainKeyID, ck = e.KeyID, k.derive(chainLabel)
		}
		switch {
		case e.Seq != next:
			return n, &AuditBreak{Seq: e.Seq, Reason: "sequence"}
		case !bytes.Equal(e.PrevHash, prev):
			return n, &AuditBreak{Seq: e.Seq, Reason: "link"}
		case e.KeyID != chainKeyID:
			return n, &AuditBreak{Seq: e.Seq, Reason: "key"}
		case !hmac.Equal(e.Hash, chainMAC(ck, e.PrevHash, e.Seq, atMS, e.SessionID, e.Kind, e.Subject, e.Detail)):
			return n, &AuditBreak{Seq: e.Seq, Reason: "hash"}
		}
		if mac, ok := want[e.Seq]; ok && mac != hex.EncodeToString(e.Hash) {
			return n, &AuditBreak{Seq: e.Seq, Reason: "head"}
		}
		prev = e.Hash
		next++
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("audit verify: %w", err)
	}
	if maxHead >= next {
		return n, &AuditBreak{Seq: maxHead, Reason: "truncated"}
	}
	return n, nil
}

// AuditHead returns the newest entry's sequence number and MAC (hex), to be noted outside the
// kiosk so truncation of the chain can be detected.
func AuditHead(ctx context.Context, db *sql.DB) (int64, string, error) {
	h, err := auditHead(ctx, db)
	return h.Seq, h.MAC, err
}

func auditHead(ctx context.Context, db *sql.DB) (AuditHeadRow, error) {
	var seq int64
	var h []byte
	var keyID string
	err := db.QueryRowContext(ctx, `SELECT seq, hash, key_id FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq, &h, &keyID)
	if errors.Is(err, sql.ErrNoRows) {
		return AuditHeadRow{MAC: hex.EncodeToString(genesis)}, nil
	}
	if err != nil {
		return AuditHeadRow{}, fmt.Errorf("audit head: %w", err)
	}
	return AuditHeadRow{Seq: seq, MAC: hex.EncodeToString(h), KeyID: keyID}, nil
}

// AuditHead is the store's current chain head.
func (s *Store) AuditHead(ctx context.Context) (AuditHeadRow, error) { return auditHead(ctx, s.db) }

// rekeyAudit rewrites the whole chain inside tx under the key to, after verifying every row under
// its current key (keyed rows) or the legacy SHA-256 chain (unkeyed rows, when legacy is set).
// Legacy media rows' plain SHA-256 become keyed hashes. Should a row not verify, the rows before
// it are re-keyed and the rest left as they are, so the break stays visible to VerifyAudit
// instead of being laundered under the new key; the break is returned.
func (s *Store) rekeyAudit(ctx context.Context, tx *sql.Tx, to *key, legacy bool) (int, error) {
	type row struct {
		e    AuditEntry
		atMS int64
	}
	rs, err := tx.QueryContext(ctx, `SELECT seq, at, session_id, kind, subject, detail, prev_hash, hash, key_id FROM audit ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("audit rekey: %w", err)
	}
	var all []row
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.e.Seq, &r.atMS, &r.e.SessionID, &r.e.Kind, &r.e.Subject, &r.e.Detail, &r.e.PrevHash, &r.e.Hash, &r.e.KeyID); err != nil {
			rs.Close()
			return 0, fmt.Errorf("audit rekey: %w", err)
		}
		all = append(all, r)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return 0, fmt.Errorf("audit rekey: %w", err)
	}
	s.mu.RLock()
	ring := s.keys.byID
	s.mu.RUnlock()
	newCK, newMK := to.derive(chainLabel), to.derive(mediaLabel)
	prevOld, prevNew := genesis, genesis
	var brk error
	done := 0
	for i, r := range all {
		e := r.e
		var ok bool
		switch {
		case e.Seq != int64(i+1):
			brk = &AuditBreak{Seq: e.Seq, Reason: "sequence"}
		case !bytes.Equal(e.PrevHash, prevOld):
			brk = &AuditBreak{Seq: e.Seq, Reason: "link"}
		case e.KeyID == "" && legacy:
			ok = bytes.Equal(e.Hash, legacyHash(e.PrevHash, e.Seq, r.atMS, e.SessionID, e.Kind, e.Subject, e.Detail))
		case e.KeyID == "":
			brk = &AuditBreak{Seq: e.Seq, Reason: "unkeyed"}
		default:
			k, found := ring[e.KeyID]
			if !found {
				return done, fmt.Errorf("audit rekey: %w (key %s)", ErrAuditUnverifiable, e.KeyID)
			}
			ok = hmac.Equal(e.Hash, chainMAC(k.derive(chainLabel), e.PrevHash, e.Seq, r.atMS, e.SessionID, e.Kind, e.Subject, e.Detail))
		}
		if brk == nil && !ok {
			brk = &AuditBreak{Seq: e.Seq, Reason: "hash"}
		}
		if brk != nil {
			// Leave the break in place: link the first unverified row to nothing new.
			break
		}
		detail := e.Detail
		if e.KeyID == "" && e.Kind == AuditMedia {
			if sum, err := hex.DecodeString(detail); err == nil && len(sum) == sha256.Size {
				detail = mediaAuditHash(newMK, sum)
			}
		}
		mac := chainMAC(newCK, prevNew, e.Seq, r.atMS, e.SessionID, e.Kind, e.Subject, detail)
		if _, err := tx.ExecContext(ctx, `UPDATE audit SET detail = ?, prev_hash = ?, hash = ?, key_id = ? WHERE seq = ?`,
			detail, prevNew, mac, to.id, e.Seq); err != nil {
			return done, fmt.Errorf("audit rekey: %w", err)
		}
		prevOld, prevNew = e.Hash, mac
		done++
	}
	return done, brk
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

// auditKeyedVersion is the migration that adds key_id to the audit table (0003_audit_keyed.sql).
const auditKeyedVersion = 3

// keyLegacyAudit runs inside migration 0003: it verifies the unkeyed SHA-256 chain of an older
// database and re-keys it under the active key. A legacy chain that was already broken is keyed
// up to the break only and the break stays visible to VerifyAudit (the kiosk still opens: the
// rows are evidence, not a reason to stop serving). It runs once, in the migration's transaction,
// so clearing key_id later cannot make the store re-key (launder) a rewritten chain.
func (s *Store) keyLegacyAudit(ctx context.Context, tx *sql.Tx) error {
	k, err := s.activeKey()
	if err != nil {
		return err
	}
	if _, err := s.rekeyAudit(ctx, tx, k, true); err != nil {
		var br *AuditBreak
		if errors.As(err, &br) {
			return nil
		}
		return err
	}
	return nil
}
