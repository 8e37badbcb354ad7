package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/services/otp"
)

func TestPurge(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	now := t0.Add(40 * 24 * time.Hour)
	const finishedAfter, abandonedAfter = 30 * 24 * time.Hour, 24 * time.Hour
	sessions := []struct {
		id         string
		step       flow.Step
		lastActive time.Time
		purge      string // expected reason, "" = kept
	}{
		{"old-submitted", flow.StepSubmitted, now.Add(-31 * 24 * time.Hour), PurgeFinished},
		{"new-submitted", flow.StepSubmitted, now.Add(-29 * 24 * time.Hour), ""},
		{"old-locked", flow.StepLocked, now.Add(-31 * 24 * time.Hour), PurgeFinished},
		{"old-expired", flow.StepExpired, now.Add(-25 * time.Hour), PurgeExpired},
		{"old-abandoned", flow.StepSelfie, now.Add(-25 * time.Hour), PurgeAbandoned},
		{"recent-open", flow.StepSelfie, now.Add(-time.Hour), ""},
	}
	photo := testJPEG(t, 5)
	for _, c := range sessions {
		r := fullRecord(c.id)
		r.Step, r.LastActive = c.step, c.lastActive
		if err := s.Create(ctx, openRecord(c.id, t0), ev("start", "", flow.StepMobile, t0)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutMedia(ctx, c.id, "selfie", "jpeg", photo); err != nil {
			t.Fatal(err)
		}
		if err := s.Save(ctx, r, ev("x", flow.StepMobile, c.step, c.lastActive)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO otp_codes (session_id, mobile_hash, salt, code_hash, expires_at, resend_at, attempts_left)
			VALUES (?, x'01', x'02', x'03', 0, 0, 5)`, c.id); err != nil {
			t.Fatal(err)
		}
	}
	// Outbox rows: the refused dossier of a purged session goes with it; a pending one stays (it
	// may still be delivered), as does the refused dossier of a session kept.
	for _, o := range []struct{ session, state string }{{"old-submitted", "refused"}, {"old-locked", "pending"}, {"new-submitted", "refused"}} {
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO outbox (idempotency_key, session_id, nc_hash, payload, created_at, next_attempt_at, state)
			VALUES (?, ?, x'01', x'02', 0, 0, ?)`, "key-"+o.session, o.session, o.state); err != nil {
			t.Fatal(err)
		}
	}
	// The OTP send log: two rows past otp.SendLogKept, one within it (still needed by the rate limits).
	for _, at := range []time.Time{now.Add(-otp.SendLogKept - time.Hour), now.Add(-otp.SendLogKept - time.Minute), now.Add(-time.Hour)} {
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO otp_sends (mobile_hash, kiosk_id, sent_at) VALUES (x'01', 'k', ?)`, at.UnixMilli()); err != nil {
			t.Fatal(err)
		}
	}
	// An orphan folder, as a crash between a wipe's commit and its shredding leaves.
	os.MkdirAll(filepath.Join(dir, "media", "ghost"), 0o700)
	os.WriteFile(filepath.Join(dir, "media", "ghost", "selfie.sealed"), []byte("x"), 0o600)

	want := map[string]string{}
	for _, c := range sessions {
		if c.purge != "" {
			want[c.id] = c.purge
		}
	}
	check := func(rep PurgeReport) {
		t.Helper()
		got := map[string]string{}
		for _, p := range rep.Sessions {
			got[p.ID] = p.Reason
			if p.MediaFiles != 1 || p.MediaBytes != int64(len(photo)) {
				t.Errorf("%s: media %d files %d bytes", p.ID, p.MediaFiles, p.MediaBytes)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("purge chose %v, want %v", got, want)
		}
		for id, reason := range want {
			if got[id] != reason {
				t.Errorf("%s: reason %q, want %q", id, got[id], reason)
			}
		}
		if len(rep.Orphans) != 1 || rep.Orphans[0] != "ghost" {
			t.Errorf("orphans %v, want [ghost]", rep.Orphans)
		}
		if rep.Logs[otp.SendLog] != 2 {
			t.Errorf("OTP send log rows to purge %d, want 2", rep.Logs[otp.SendLog])
		}
	}
	auditBefore := countRows(t, s, "audit")
	rep, err := s.Purge(ctx, now, finishedAfter, abandonedAfter, true)
	if err != nil {
		t.Fatal(err)
	}
	check(rep)
	if n := countRows(t, s, "sessions"); n != len(sessions) {
		t.Fatalf("dry run deleted sessions: %d left", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "media", "ghost", "selfie.sealed")); err != nil {
		t.Fatal("dry run removed the orphan")
	}
	if n := countRows(t, s, "otp_sends"); n != 3 {
		t.Fatalf("dry run deleted OTP send log rows: %d left", n)
	}
	rep, err = s.Purge(ctx, now, finishedAfter, abandonedAfter, false)
	if err != nil {
		t.Fatal(err)
	}
	check(rep)
	var left []string
	rows, _ := s.DB().QueryContext(ctx, `SELECT id FROM sessions`)
	for rows.Next() {
		var id string
		rows.Scan(&id)
		left = append(left, id)
	}
	rows.Close()
	sort.Strings(left)
	if len(left) != 2 || left[0] != "new-submitted" || left[1] != "recent-open" {
		t.Errorf("sessions left %v", left)
	}
	for id := range want {
		if _, err := os.Stat(filepath.Join(dir, "media", id)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: media still on disk", id)
		}
		for _, table := range []string{"events", "checks", "media", "otp_codes"} {
			var n int
			s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE session_id = ?`, id).Scan(&n)
			if n != 0 {
				t.Errorf("%s: %d rows left in %s", id, n, table)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "media", "ghost")); !errors.Is(err, os.ErrNotExist) {
		t.Error("orphan media folder not removed")
	}
	var outboxLeft []string
	orows, _ := s.DB().QueryContext(ctx, `SELECT session_id || ':' || state FROM outbox ORDER BY session_id`)
	for orows.Next() {
		var v string
		orows.Scan(&v)
		outboxLeft = append(outboxLeft, v)
	}
	orows.Close()
	if strings.Join(outboxLeft, " ") != "new-submitted:refused old-locked:pending" {
		t.Errorf("outbox rows left %v, want the kept session's refused one and the pending one", outboxLeft)
	}
	if n := countRows(t, s, "otp_sends"); n != 1 {
		t.Errorf("OTP send log rows left %d, want the 1 within %v", n, otp.SendLogKept)
	}
	if got := countRows(t, s, "audit"); got != auditBefore+len(want) {
		t.Errorf("audit rows %d, want %d kept plus %d purge entries", got, auditBefore, len(want))
	}
	if _, err := s.Purge(ctx, now, 0, abandonedAfter, true); err == nil {
		t.Error("a zero retention period was accepted")
	}
	rep, err = s.Purge(ctx, now, finishedAfter, abandonedAfter, false)
	if err != nil || len(rep.Sessions) != 0 {
		t.Errorf("second purge: %v %+v", err, rep)
	}
}

func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPurgeEvery(t *testing.T) {
	s, _ := openTest(t) // its clock is t0 + 1h
	old := openRecord("gone-1", t0.Add(-48*time.Hour))
	if err := s.Create(context.Background(), old, ev("start", "", flow.StepMobile, old.StartedAt)); err != nil {
		t.Fatal(err)
	}
	// The newest open session is the one on screen: spared at any step, however old its last
	// activity looks on the wall clock (the flow's idle timeout ends it).
	screen := openRecord("screen-1", t0.Add(-47*time.Hour))
	if err := s.Create(context.Background(), screen, ev("start", "", flow.StepMobile, screen.StartedAt)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runs := 0
	done := make(chan struct{})
	go func() {
		s.PurgeEvery(ctx, 5*time.Millisecond, 30*24*time.Hour, 24*time.Hour, func(rep PurgeReport, err error) {
			if err != nil {
				t.Error(err)
			}
			if runs++; runs == 3 {
				cancel()
			}
		})
		close(done)
	}()
	<-done
	if n := countRows(t, s, "sessions"); n != 1 {
		t.Errorf("%d sessions left after the background purge, want the one on screen", n)
	}
	if _, err := s.Load(context.Background(), "screen-1"); err != nil {
		t.Errorf("the session on screen was purged: %v", err)
	}
	if runs < 3 {
		t.Errorf("ran %d times", runs)
	}
}
