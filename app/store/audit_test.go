package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
)

// Editing one audit row, as anyone who can open the database file can (a plain SQLite connection,
// no store), is caught at that row — the first and the last row of the chain included. The test
// does not need the sqlite3 command-line tool, so it never skips.
func TestAuditVerifyFindsEditedRow(t *testing.T) {
	tamper := func(t *testing.T, path, stmt string) {
		t.Helper()
		db, err := sql.Open("sqlite3", dsn(path))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("tamper %q: %v", stmt, err)
		}
	}
	tests := []struct {
		name    string
		sql     string
		seq     int64
		reason  string
		wantErr bool
	}{
		{"untouched", "", 0, "", false},
		{"detail edited", `UPDATE audit SET detail = 'pass []' WHERE seq = 4;`, 4, "hash", true},
		{"time edited", `UPDATE audit SET at = at + 1 WHERE seq = 2;`, 2, "hash", true},
		{"row deleted", `DELETE FROM audit WHERE seq = 3;`, 4, "sequence", true},
		{"row rehashed", `UPDATE audit SET hash = zeroblob(32) WHERE seq = 5;`, 5, "hash", true},
		// The ends of the chain (issue 18: skipping row 1's check survived the tests).
		{"first row edited", `UPDATE audit SET detail = 'x' WHERE seq = 1;`, 1, "hash", true},
		{"first row rehashed", `UPDATE audit SET hash = zeroblob(32) WHERE seq = 1;`, 1, "hash", true},
		{"first row deleted", `DELETE FROM audit WHERE seq = 1;`, 2, "sequence", true},
		{"last row edited", `UPDATE audit SET detail = 'x' WHERE seq = 5;`, 5, "hash", true},
		{"last row relinked", `UPDATE audit SET prev_hash = zeroblob(32) WHERE seq = 5;`, 5, "link", true},
		{"last row kind edited", `UPDATE audit SET kind = 'purge' WHERE seq = 5;`, 5, "hash", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
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
			n, err := VerifyAudit(ctx, s.DB())
			if err != nil || n != 5 { // 4 events + 1 verdict
				t.Fatalf("before: n=%d err=%v", n, err)
			}
			s.Close()
			db := filepath.Join(dir, "ehraz.db")
			if tc.sql != "" {
				tamper(t, db, tc.sql)
			}
			ro, err := OpenReadOnly(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer ro.Close()
			_, err = VerifyAudit(ctx, ro)
			if !tc.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var br *AuditBreak
			if !errors.As(err, &br) || br.Seq != tc.seq || br.Reason != tc.reason {
				t.Fatalf("VerifyAudit = %v, want break at row %d (%s)", err, tc.seq, tc.reason)
			}
			// Restore a valid chain for the cleanup's check: drop the tampered tail.
			tamper(t, db, `DELETE FROM audit WHERE seq >= `+strconv.FormatInt(tc.seq-1, 10)+`;`)
		})
	}
}
