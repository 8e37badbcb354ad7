package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
)

// tamper runs stmt on the database file through a plain SQLite connection, as anyone who can
// open the file can (no store, no key). It needs no sqlite3 command-line tool, so it never skips.
func tamper(t *testing.T, path, stmt string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite3", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt, args...); err != nil {
		t.Fatalf("tamper %q: %v", stmt, err)
	}
}

// fiveRowChain writes a session whose audit chain has 5 rows (4 events + 1 verdict), closes the
// store and returns the database path and the store key.
func fiveRowChain(t *testing.T) (string, []byte) {
	t.Helper()
	ctx := context.Background()
	s, dir := openTest(t)
	r := fullRecord("a-1")
	if err := s.Create(ctx, openRecord("a-1", t0), ev("session.started", flow.StepWelcome, flow.StepMobile, t0)); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if err := s.Save(ctx, r, ev("selfie.checked", flow.StepSelfie, flow.StepSelfie, t0.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.VerifyAudit(ctx)
	if err != nil || n != 5 {
		t.Fatalf("before: n=%d err=%v", n, err)
	}
	s.Close()
	k, err := readKeyFile(filepath.Join(dir, "keys", "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "ehraz.db"), k
}

// verifyFile runs VerifyAudit on a closed database file with the given keys.
func verifyFile(t *testing.T, path string, keys [][]byte, heads ...AuditHeadRow) (int64, error) {
	t.Helper()
	ro, err := OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	return VerifyAudit(context.Background(), ro, keys, heads...)
}

// The forger's best tool without the key: recompute every MAC from the edited row on, under a
// key of their choosing (here the plain SHA-256 of the old unkeyed chain, and a wrong HMAC key).
const (
	rechainSHA  = "sha256"
	rechainHMAC = "hmac-wrong-key"
)

func rechain(t *testing.T, path string, from int64, how string) {
	t.Helper()
	db, err := sql.Open("sqlite3", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT seq, at, session_id, kind, subject, detail FROM audit ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		seq, at                        int64
		session, kind, subject, detail string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.seq, &r.at, &r.session, &r.kind, &r.subject, &r.detail); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	rows.Close()
	prev := genesis
	wrong := bytes.Repeat([]byte{9}, 32)
	for _, r := range all {
		if r.seq < from {
			if err := db.QueryRow(`SELECT hash FROM audit WHERE seq = ?`, r.seq).Scan(&prev); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var h []byte
		if how == rechainSHA {
			h = legacyHash(prev, r.seq, r.at, r.session, r.kind, r.subject, r.detail)
		} else {
			h = chainMAC(wrong, prev, r.seq, r.at, r.session, r.kind, r.subject, r.detail)
		}
		if _, err := db.Exec(`UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?`, prev, h, r.seq); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
}

// Editing, deleting or reordering audit rows, as anyone who can open the database file can, is
// caught at that row — the first and the last row of the chain included — and so is a forger who
// recomputes the chain after the edit, since the MACs need the store key.
func TestAuditVerifyFindsTampering(t *testing.T) {
	tests := []struct {
		name    string
		sql     []string
		rechain string // recompute the chain from the tampered row on, like a forger would
		seq     int64
		reason  string
	}{
		{"untouched", nil, "", 0, ""},
		{"detail edited", []string{`UPDATE audit SET detail = 'pass []' WHERE seq = 4`}, "", 4, "hash"},
		{"time edited", []string{`UPDATE audit SET at = at + 1 WHERE seq = 2`}, "", 2, "hash"},
		{"row deleted", []string{`DELETE FROM audit WHERE seq = 3`}, "", 4, "sequence"},
		{"row deleted, later rows renumbered", []string{`DELETE FROM audit WHERE seq = 3`, `UPDATE audit SET seq = seq - 1 WHERE seq > 3`}, "", 3, "link"},
		{"row rehashed", []string{`UPDATE audit SET hash = zeroblob(32) WHERE seq = 5`}, "", 5, "hash"},
		// Rows 2 and 3 swap places (their seq numbers exchanged).
		{"rows reordered", []string{`UPDATE audit SET seq = 100 WHERE seq = 2`, `UPDATE audit SET seq = 2 WHERE seq = 3`, `UPDATE audit SET seq = 3 WHERE seq = 100`}, "", 2, "link"},
		{"rows reordered, chain recomputed with SHA-256", []string{`UPDATE audit SET seq = 100 WHERE seq = 2`, `UPDATE audit SET seq = 2 WHERE seq = 3`, `UPDATE audit SET seq = 3 WHERE seq = 100`}, rechainSHA, 2, "hash"},
		{"detail edited, chain recomputed with SHA-256", []string{`UPDATE audit SET detail = 'x' WHERE seq = 3`}, rechainSHA, 3, "hash"},
		{"detail edited, chain recomputed under a wrong key", []string{`UPDATE audit SET detail = 'x' WHERE seq = 3`}, rechainHMAC, 3, "hash"},
		{"row deleted, chain recomputed", []string{`DELETE FROM audit WHERE seq = 3`, `UPDATE audit SET seq = seq - 1 WHERE seq > 3`}, rechainHMAC, 3, "hash"},
		{"downgraded to the unkeyed chain", []string{`UPDATE audit SET key_id = ''`}, rechainSHA, 1, "unkeyed"},
		{"row names another key", []string{`UPDATE audit SET key_id = 'ffffffffffffffff' WHERE seq = 4`}, "", 4, "key"},
		// The ends of the chain (issue 18: skipping row 1's check survived the tests).
		{"first row edited", []string{`UPDATE audit SET detail = 'x' WHERE seq = 1`}, "", 1, "hash"},
		{"first row rehashed", []string{`UPDATE audit SET hash = zeroblob(32) WHERE seq = 1`}, "", 1, "hash"},
		{"first row deleted", []string{`DELETE FROM audit WHERE seq = 1`}, "", 2, "sequence"},
		{"last row edited", []string{`UPDATE audit SET detail = 'x' WHERE seq = 5`}, "", 5, "hash"},
		{"last row relinked", []string{`UPDATE audit SET prev_hash = zeroblob(32) WHERE seq = 5`}, "", 5, "link"},
		{"last row kind edited", []string{`UPDATE audit SET kind = 'purge' WHERE seq = 5`}, "", 5, "hash"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, k := fiveRowChain(t)
			for _, stmt := range tc.sql {
				tamper(t, db, stmt)
			}
			if tc.rechain != "" {
				rechain(t, db, tc.seq, tc.rechain)
			}
			n, err := verifyFile(t, db, [][]byte{k})
			if tc.seq == 0 {
				if err != nil || n != 5 {
					t.Fatalf("untouched chain: n=%d err=%v", n, err)
				}
				return
			}
			var br *AuditBreak
			if !errors.As(err, &br) || br.Seq != tc.seq || br.Reason != tc.reason {
				t.Fatalf("VerifyAudit = %v, want break at row %d (%s)", err, tc.seq, tc.reason)
			}
			// Restore a valid chain for the cleanup's check: drop the tampered tail.
			tamper(t, db, `DELETE FROM audit WHERE seq >= `+strconv.FormatInt(min(tc.seq, 2)-1, 10))
		})
	}
}

// Cutting off the newest rows leaves a valid shorter chain; the head noted in a dossier shows it.
// A rewritten chain with another MAC at the noted row is caught the same way.
func TestAuditHeadCatchesTruncation(t *testing.T) {
	ctx := context.Background()
	db, k := fiveRowChain(t)
	ro, err := OpenReadOnly(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	head, err := auditHead(ctx, ro)
	ro.Close()
	if err != nil || head.Seq != 5 || head.KeyID != KeyID(k) || len(head.MAC) != 64 {
		t.Fatalf("head %+v err %v", head, err)
	}
	if _, err := verifyFile(t, db, [][]byte{k}, head); err != nil {
		t.Fatalf("intact chain against its own head: %v", err)
	}
	tamper(t, db, `DELETE FROM audit WHERE seq >= 4`)
	if n, err := verifyFile(t, db, [][]byte{k}); err != nil || n != 3 {
		t.Fatalf("a cut chain alone still verifies (that is why heads are kept): n=%d err=%v", n, err)
	}
	var br *AuditBreak
	if _, err := verifyFile(t, db, [][]byte{k}, head); !errors.As(err, &br) || br.Seq != 5 || br.Reason != "truncated" {
		t.Fatalf("cut chain against the noted head: %v, want truncated at 5", err)
	}
	other := head
	other.Seq = 3
	if _, err := verifyFile(t, db, [][]byte{k}, other); !errors.As(err, &br) || br.Seq != 3 || br.Reason != "head" {
		t.Fatalf("another MAC at a noted row: %v, want head at 3", err)
	}
}

// Without the chain's key, verify says it could not verify — never that the chain is fine.
func TestAuditVerifyWithoutKeyIsNotAPass(t *testing.T) {
	db, _ := fiveRowChain(t)
	for _, keys := range [][][]byte{nil, {bytes.Repeat([]byte{7}, KeySize)}} {
		if _, err := verifyFile(t, db, keys); !errors.Is(err, ErrAuditUnverifiable) {
			t.Errorf("%d keys: %v, want ErrAuditUnverifiable", len(keys), err)
		}
	}
}

// A media row holds a keyed hash: the plain SHA-256 of the photo appears nowhere in the audit
// table, and the keyed hash is what MediaAuditHash gives with the store key.
func TestMediaAuditHashIsKeyed(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	if err := s.Create(ctx, fullRecord("m-1"), ev("start", "", flow.StepMobile, t0)); err != nil {
		t.Fatal(err)
	}
	photo := testJPEG(t, 3)
	plain, err := s.PutMedia(ctx, "m-1", "selfie", "jpeg", photo)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(photo)
	if plain != hex.EncodeToString(sum[:]) {
		t.Fatalf("PutMedia returned %s, want the SHA-256 of the data", plain)
	}
	var detail string
	var n int
	if err := s.DB().QueryRow(`SELECT detail FROM audit WHERE kind = 'media'`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	s.DB().QueryRow(`SELECT COUNT(*) FROM audit WHERE detail LIKE '%' || ? || '%' OR subject LIKE '%' || ? || '%'`, plain, plain).Scan(&n)
	if n != 0 || detail == plain {
		t.Fatalf("the audit table holds the plain SHA-256 of the photo (%d rows)", n)
	}
	k, err := readKeyFile(filepath.Join(dir, "keys", "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := MediaAuditHash(k, plain)
	if err != nil || detail != want {
		t.Fatalf("media row %s, MediaAuditHash %s (%v)", detail, want, err)
	}
	other, _ := MediaAuditHash(bytes.Repeat([]byte{1}, KeySize), plain)
	if other == detail {
		t.Error("the media hash does not depend on the key")
	}
}

// Key rotation re-keys the chain: it verifies under the new key, not under the old one alone;
// a chain that does not verify is not re-keyed (the rotation refuses and changes nothing).
func TestRotationRekeysAudit(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	kf := filepath.Join(dir, "keys", "store.key")
	oldRaw, _ := readKeyFile(kf)
	if err := s.Create(ctx, fullRecord("r-1"), ev("start", "", flow.StepMobile, t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutMedia(ctx, "r-1", "selfie", "jpeg", testJPEG(t, 4)); err != nil {
		t.Fatal(err)
	}
	rep, err := s.RotateKeyFile(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.VerifyAudit(ctx)
	if err != nil || n != 4 { // event, verdict, media, rotation
		t.Fatalf("after rotation: n=%d err=%v", n, err)
	}
	head, _ := s.AuditHead(ctx)
	if head.KeyID != rep.NewKeyID {
		t.Errorf("head under key %s, want the new %s", head.KeyID, rep.NewKeyID)
	}
	s.Close()
	newRaw, _ := readKeyFile(kf)
	db := filepath.Join(dir, "ehraz.db")
	if _, err := verifyFile(t, db, [][]byte{oldRaw}); !errors.Is(err, ErrAuditUnverifiable) {
		t.Errorf("old key alone: %v, want ErrAuditUnverifiable", err)
	}
	if _, err := verifyFile(t, db, [][]byte{newRaw}); err != nil {
		t.Errorf("new key: %v", err)
	}
	// A tampered chain blocks the next rotation.
	tamper(t, db, `UPDATE audit SET detail = 'x' WHERE seq = 2`)
	s2 := openAt(t, dir)
	if _, err := s2.RotateKeyFile(ctx, false); err == nil || !strings.Contains(err.Error(), "row 2") {
		t.Fatalf("rotation over a tampered chain: %v", err)
	}
	s2.Close()
	if k, _ := readKeyFile(kf); !bytes.Equal(k, newRaw) {
		t.Error("a refused rotation changed the key")
	}
	if _, err := verifyFile(t, db, [][]byte{newRaw}); err == nil {
		t.Error("the refused rotation laundered the tampered row")
	}
	tamper(t, db, `DELETE FROM audit WHERE seq >= 2`)
}

// makeLegacy turns a database into one written before migration 0003: the unkeyed SHA-256 chain
// with plain media hashes, no key_id column, the migration not recorded.
func makeLegacy(t *testing.T, path string, plainMedia map[int64]string) {
	t.Helper()
	for seq, sum := range plainMedia {
		tamper(t, path, `UPDATE audit SET detail = ? WHERE seq = ?`, sum, seq)
	}
	tamper(t, path, `UPDATE audit SET key_id = ''`)
	rechain(t, path, 1, rechainSHA)
	tamper(t, path, `DROP INDEX audit_session`)
	tamper(t, path, `ALTER TABLE audit DROP COLUMN key_id`)
	tamper(t, path, `DELETE FROM schema_migrations WHERE version = 3`)
}

// An older database's SHA-256 chain is verified and keyed when the store opens it (migration
// 0003); its media rows' plain SHA-256 become keyed hashes. A legacy chain that was already
// broken keeps its break visible instead of being keyed over.
func TestLegacyChainKeyedAtOpen(t *testing.T) {
	for _, broken := range []bool{false, true} {
		t.Run(map[bool]string{false: "intact", true: "broken"}[broken], func(t *testing.T) {
			ctx := context.Background()
			s, dir := openTest(t)
			photo := testJPEG(t, 5)
			if err := s.Create(ctx, fullRecord("l-1"), ev("start", "", flow.StepMobile, t0)); err != nil {
				t.Fatal(err)
			}
			plain, err := s.PutMedia(ctx, "l-1", "selfie", "jpeg", photo)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Save(ctx, fullRecord("l-1"), ev("next", flow.StepVideo, flow.StepVideo, t0.Add(time.Minute))); err != nil {
				t.Fatal(err)
			}
			var mediaSeq int64
			s.DB().QueryRow(`SELECT seq FROM audit WHERE kind = 'media'`).Scan(&mediaSeq)
			s.Close()
			db := filepath.Join(dir, "ehraz.db")
			makeLegacy(t, db, map[int64]string{mediaSeq: plain})
			if broken {
				tamper(t, db, `UPDATE audit SET detail = 'x' WHERE seq = 3`)
			}
			s2 := openAt(t, dir)
			n, err := s2.VerifyAudit(ctx)
			var br *AuditBreak
			if broken {
				if !errors.As(err, &br) || br.Seq != 3 {
					t.Fatalf("broken legacy chain after keying: n=%d %v, want a break at row 3", n, err)
				}
				s2.Close()
				tamper(t, db, `DELETE FROM audit WHERE seq >= 3`)
				return
			}
			if err != nil || n != 4 {
				t.Fatalf("keyed legacy chain: n=%d err=%v", n, err)
			}
			var detail string
			s2.DB().QueryRow(`SELECT detail FROM audit WHERE seq = ?`, mediaSeq).Scan(&detail)
			k, _ := readKeyFile(filepath.Join(dir, "keys", "store.key"))
			if want, _ := MediaAuditHash(k, plain); detail != want {
				t.Errorf("legacy media row %q, want the keyed hash %q", detail, want)
			}
			// Clearing key_id later does not make the store key the rows again.
			s2.Close()
			tamper(t, db, `UPDATE audit SET key_id = ''`)
			rechain(t, db, 1, rechainSHA)
			s3 := openAt(t, dir)
			if _, err := s3.VerifyAudit(ctx); !errors.As(err, &br) || br.Reason != "unkeyed" {
				t.Errorf("a chain downgraded after keying: %v, want unkeyed", err)
			}
			s3.Close()
			tamper(t, db, `DELETE FROM audit`)
		})
	}
}
