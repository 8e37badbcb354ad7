package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ehraz/ehraz/app/flow"
)

// Purge reasons.
const (
	PurgeFinished  = "finished"  // submitted, rejected or locked, past the finished period
	PurgeExpired   = "expired"   // idle timeout, past the abandoned period
	PurgeAbandoned = "abandoned" // never finished nor expired, inactive past the abandoned period
)

// PurgedSession is one session a purge removed (or would remove).
type PurgedSession struct {
	ID         string
	Step       flow.Step
	Reason     string
	LastActive time.Time
	MediaFiles int
	MediaBytes int64
}

// PurgeReport says what a purge removed. With DryRun nothing was touched.
type PurgeReport struct {
	DryRun   bool
	Sessions []PurgedSession
	// Orphans are media folders with no session row (left by a crash between a wipe's commit and
	// its shredding); they are removed too.
	Orphans []string
	// Logs counts, per log an owner named in its Retention (e.g. "otp_sends": hashed mobile
	// numbers kept for the OTP rate limits), the rows past their keeping time, deleted too.
	Logs map[string]int
}

// Purge deletes every session past its retention period (finished ones finishedAfter after their
// last activity, expired and abandoned ones abandonedAfter after it): media files are shredded,
// and the sealed record, events, verdicts, overrides, media index and the other packages' rows of
// the session (their Retention.ForgetSession) are deleted; so are their logs past LogKept. The audit chain keeps its rows and gains
// one "purge" entry per session. The newest open session is never purged, at any step: it is the
// one a running kiosk shows, and the flow ends it itself (its idle timeout, measured on elapsed
// time, wipes it; a restarted kiosk's Resume wipes it when stale). Judging it by its last
// activity on the wall clock would wipe an applicant's session mid-step when the clock is set
// forward a few days (issue 18). With dryRun it only reports.
func (s *Store) Purge(ctx context.Context, now time.Time, finishedAfter, abandonedAfter time.Duration, dryRun bool) (PurgeReport, error) {
	rep := PurgeReport{DryRun: dryRun, Logs: map[string]int{}}
	if finishedAfter <= 0 || abandonedAfter <= 0 {
		return rep, errors.New("store: purge: retention periods must be positive")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT s.id, s.step, s.finished, s.expired, s.last_active,
		(SELECT COUNT(*) FROM media m WHERE m.session_id = s.id), (SELECT COALESCE(SUM(size), 0) FROM media m WHERE m.session_id = s.id)
		FROM sessions s WHERE ((s.finished = 1 AND s.last_active < ?) OR (s.finished = 0 AND s.last_active < ?))
		AND NOT (s.finished = 0 AND s.expired = 0 AND s.id = (SELECT id FROM sessions
			WHERE finished = 0 AND expired = 0 ORDER BY started_at DESC, rowid DESC LIMIT 1))
		ORDER BY s.last_active`, now.Add(-finishedAfter).UnixMilli(), now.Add(-abandonedAfter).UnixMilli())
	if err != nil {
		return rep, fmt.Errorf("store: purge: %w", err)
	}
	for rows.Next() {
		var p PurgedSession
		var finished, expired bool
		var last int64
		if err := rows.Scan(&p.ID, &p.Step, &finished, &expired, &last, &p.MediaFiles, &p.MediaBytes); err != nil {
			rows.Close()
			return rep, fmt.Errorf("store: purge: %w", err)
		}
		p.LastActive = fromMS(last)
		switch {
		case finished:
			p.Reason = PurgeFinished
		case expired:
			p.Reason = PurgeExpired
		default:
			p.Reason = PurgeAbandoned
		}
		rep.Sessions = append(rep.Sessions, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("store: purge: %w", err)
	}
	orphans, err := s.orphanMedia(ctx)
	if err != nil {
		return rep, fmt.Errorf("store: purge: %w", err)
	}
	rep.Orphans = orphans
	for _, r := range s.retention {
		if r.Log == "" {
			continue
		}
		var n int
		if err := s.db.QueryRowContext(ctx, r.CountLog, now.Add(-r.LogKept).UnixMilli()).Scan(&n); err != nil {
			return rep, fmt.Errorf("store: purge: %s: %w", r.Log, err)
		}
		rep.Logs[r.Log] += n
	}
	if dryRun {
		return rep, nil
	}
	for _, r := range s.retention {
		if r.Log == "" {
			continue
		}
		if _, err := s.db.ExecContext(ctx, r.DeleteLog, now.Add(-r.LogKept).UnixMilli()); err != nil {
			return rep, fmt.Errorf("store: purge: %s: %w", r.Log, err)
		}
	}
	// Person lockouts past their time keep nothing worth keeping.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM person_locks WHERE until <= ?`, now.UnixMilli()); err != nil {
		return rep, fmt.Errorf("store: purge: person locks: %w", err)
	}
	for _, p := range rep.Sessions {
		if err := s.purgeOne(ctx, now, p); err != nil {
			return rep, fmt.Errorf("store: purge: %w", err)
		}
	}
	for _, id := range orphans {
		if err := s.shredAll(nil, id); err != nil {
			return rep, fmt.Errorf("store: purge orphan media: %w", err)
		}
	}
	return rep, nil
}

func (s *Store) purgeOne(ctx context.Context, now time.Time, p PurgedSession) error {
	paths, err := s.mediaPaths(ctx, p.ID)
	if err != nil {
		return err
	}
	// Files first: should the transaction then fail, the session is still listed and the next
	// purge finishes the job.
	if err := s.shredAll(paths, p.ID); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, p.ID); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		// The other packages' rows of this session (the OTP code, if any is left).
		for _, r := range s.retention {
			if r.ForgetSession == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, r.ForgetSession, p.ID); err != nil {
				return fmt.Errorf("forget session: %w", err)
			}
		}
		detail := fmt.Sprintf("%s step=%s media=%d", p.Reason, p.Step, p.MediaFiles)
		return s.appendAudit(ctx, tx, now, p.ID, AuditPurge, "session", detail)
	})
}

// orphanMedia lists media folders whose session is gone or wiped. A live session's folder is
// never listed, so a PutMedia between writing its file and indexing it is safe.
func (s *Store) orphanMedia(ctx context.Context) ([]string, error) {
	entries, err := os.ReadDir(s.mediaDir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("media folder: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || checkID(e.Name()) != nil {
			continue
		}
		var live int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE id = ? AND wiped = 0`, e.Name()).Scan(&live); err != nil {
			return nil, fmt.Errorf("orphan media: %w", err)
		}
		if live == 0 {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// PurgeEvery runs Purge at once and then every interval until ctx ends, for the kiosk's
// background retention. Errors go to report (which must not log personal data; these errors
// hold none) and do not stop the loop.
func (s *Store) PurgeEvery(ctx context.Context, interval, finishedAfter, abandonedAfter time.Duration, report func(PurgeReport, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		rep, err := s.Purge(ctx, s.now(), finishedAfter, abandonedAfter, false)
		if report != nil {
			report(rep, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
