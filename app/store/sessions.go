package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// sealedRecord is the JSON inside the sealed column: the whole record, so Load hands back
// exactly what was saved (the clear columns are copies for queries, never read back into it).
type sealedRecord struct {
	Version int         `json:"v"`
	Record  flow.Record `json:"record"`
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func checkID(id string) error {
	if !idPattern.MatchString(id) {
		return fmt.Errorf("session id %q: want 1-64 letters, digits, - or _", id)
	}
	return nil
}

func finishedStep(s flow.Step) bool {
	return s == flow.StepSubmitted || s == flow.StepRejected || s == flow.StepLocked
}

func (s *Store) sealRecord(r flow.Record) ([]byte, string, error) {
	plain, err := json.Marshal(sealedRecord{Version: 1, Record: r})
	if err != nil {
		return nil, "", fmt.Errorf("encode record: %w", err)
	}
	k, err := s.activeKey()
	if err != nil {
		return nil, "", err
	}
	b, err := seal(k, plain, recordAD(r.ID))
	clear(plain)
	if err != nil {
		return nil, "", err
	}
	return b, k.id, nil
}

func (s *Store) openRecord(id, keyID string, sealed []byte) (flow.Record, error) {
	s.mu.RLock()
	keys := s.keys
	s.mu.RUnlock()
	plain, _, err := keys.open(keyID, sealed, recordAD(id))
	if err != nil {
		return flow.Record{}, fmt.Errorf("session %s: %w", id, err)
	}
	var sr sealedRecord
	if err := json.Unmarshal(plain, &sr); err != nil {
		return flow.Record{}, fmt.Errorf("session %s: decode record: %w", id, err)
	}
	return sr.Record, nil
}

// Create writes a new session and its first event.
func (s *Store) Create(ctx context.Context, r flow.Record, ev flow.Event) (err error) {
	defer func() { err = diskFull(err) }()
	if err := checkID(r.ID); err != nil {
		return fmt.Errorf("store: create: %w", err)
	}
	sealed, keyID, err := s.sealRecord(r)
	if err != nil {
		return fmt.Errorf("store: create: %w", err)
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, step, mode, started_at, last_active, accepted_at,
			outcome, finished, expired, wiped, key_id, sealed, tracking_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
			r.ID, string(r.Step), r.Mode, ms(r.StartedAt), ms(r.LastActive), ms(r.AcceptedAt), r.Outcome,
			finishedStep(r.Step), r.Step == flow.StepExpired, keyID, sealed, s.trackingColumn(r)); err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		return s.afterWrite(ctx, tx, r, ev)
	})
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// Save replaces the session's record and appends ev (and any new verdicts) in one transaction.
func (s *Store) Save(ctx context.Context, r flow.Record, ev flow.Event) (err error) {
	defer func() { err = diskFull(err) }()
	if err := s.update(ctx, r, ev, false); err != nil {
		return fmt.Errorf("store: save session: %w", err)
	}
	return nil
}

func (s *Store) update(ctx context.Context, r flow.Record, ev flow.Event, wiped bool) error {
	sealed, keyID, err := s.sealRecord(r)
	if err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET step = ?, mode = ?, started_at = ?, last_active = ?,
			accepted_at = ?, outcome = ?, finished = ?, expired = ?, wiped = (wiped OR ?), key_id = ?, sealed = ?, tracking_hash = ? WHERE id = ?`,
			string(r.Step), r.Mode, ms(r.StartedAt), ms(r.LastActive), ms(r.AcceptedAt), r.Outcome,
			finishedStep(r.Step), r.Step == flow.StepExpired, wiped, keyID, sealed, s.trackingColumn(r), r.ID)
		if err != nil {
			return fmt.Errorf("update session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if wiped {
			if _, err := tx.ExecContext(ctx, `DELETE FROM media WHERE session_id = ?`, r.ID); err != nil {
				return fmt.Errorf("wipe media index: %w", err)
			}
		}
		return s.afterWrite(ctx, tx, r, ev)
	})
}

// afterWrite appends the event, records verdicts not seen before, and audits both. The event's
// name and detail are meant to be non-personal; long digit runs are masked anyway, since events
// and the audit outlive the sealed record.
func (s *Store) afterWrite(ctx context.Context, tx *sql.Tx, r flow.Record, ev flow.Event) error {
	ev.Name, ev.Detail = maskNumbers(ev.Name), maskNumbers(ev.Detail)
	if _, err := tx.ExecContext(ctx, `INSERT INTO events (session_id, from_step, to_step, name, at, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		r.ID, string(ev.From), string(ev.To), ev.Name, ms(ev.At), ev.Detail); err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	if err := s.appendAudit(ctx, tx, ev.At, r.ID, AuditEvent, ev.Name, string(ev.From)+">"+string(ev.To)+" "+ev.Detail); err != nil {
		return err
	}
	steps := make([]string, 0, len(r.Checks))
	for st := range r.Checks {
		steps = append(steps, string(st))
	}
	sort.Strings(steps)
	for _, st := range steps {
		c := r.Checks[flow.Step(st)]
		step := c.Step
		if step == "" {
			step = flow.Step(st)
		}
		reasons, err := json.Marshal(nonNil(c.Verdict.Reasons))
		if err != nil {
			return fmt.Errorf("encode reasons: %w", err)
		}
		rules, err := json.Marshal(c.Verdict.Rules)
		if err != nil {
			return fmt.Errorf("encode rules: %w", err)
		}
		if c.Verdict.Rules == nil {
			rules = []byte("[]")
		}
		outcome := c.Verdict.Outcome.Effective().String()
		prov := ""
		if c.Verdict.Provenance != (sdk.Provenance{}) {
			b, err := json.Marshal(c.Verdict.Provenance)
			if err != nil {
				return fmt.Errorf("encode provenance: %w", err)
			}
			prov = string(b)
		}
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO checks (session_id, step, attempt, at, outcome, reasons, rules, score, duration_ms, provenance)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, string(step), c.Attempt, ms(c.At), outcome, string(reasons), string(rules),
			c.Verdict.Score, c.Verdict.Duration.Milliseconds(), prov)
		if err != nil {
			return fmt.Errorf("record verdict: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			at := c.At
			if at.IsZero() {
				at = ev.At
			}
			if err := s.appendAudit(ctx, tx, at, r.ID, AuditVerdict, fmt.Sprintf("%s/%d", step, c.Attempt), outcome+" "+string(reasons)); err != nil {
				return err
			}
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Load returns one session as it was last saved.
func (s *Store) Load(ctx context.Context, id string) (flow.Record, error) {
	var keyID string
	var sealed []byte
	err := s.db.QueryRowContext(ctx, `SELECT key_id, sealed FROM sessions WHERE id = ?`, id).Scan(&keyID, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return flow.Record{}, fmt.Errorf("store: load session: %w", ErrNotFound)
	}
	if err != nil {
		return flow.Record{}, fmt.Errorf("store: load session: %w", err)
	}
	r, err := s.openRecord(id, keyID, sealed)
	if err != nil {
		return flow.Record{}, fmt.Errorf("store: load: %w", err)
	}
	return r, nil
}

// LatestOpen returns the newest session that is not finished, expired, locked or rejected.
func (s *Store) LatestOpen(ctx context.Context) (flow.Record, bool, error) {
	var id, keyID string
	var sealed []byte
	err := s.db.QueryRowContext(ctx, `SELECT id, key_id, sealed FROM sessions
		WHERE finished = 0 AND expired = 0 AND wiped = 0 ORDER BY started_at DESC, rowid DESC LIMIT 1`).Scan(&id, &keyID, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return flow.Record{}, false, nil
	}
	if err != nil {
		return flow.Record{}, false, fmt.Errorf("store: latest open session: %w", err)
	}
	r, err := s.openRecord(id, keyID, sealed)
	if err != nil {
		return flow.Record{}, false, fmt.Errorf("store: latest open: %w", err)
	}
	return r, true, nil
}

// Wipe deletes the session's media now and replaces its record with r (already stripped of
// personal data by the flow), appending ev; step history, verdict numbers and the audit stay.
func (s *Store) Wipe(ctx context.Context, r flow.Record, ev flow.Event) (err error) {
	defer func() { err = diskFull(err) }()
	paths, err := s.mediaPaths(ctx, r.ID)
	if err != nil {
		return fmt.Errorf("store: wipe: %w", err)
	}
	if err := s.update(ctx, r, ev, true); err != nil {
		return fmt.Errorf("store: wipe session: %w", err)
	}
	// The index rows are gone: a crash before the files are shredded leaves orphans that the
	// next Purge removes.
	if err := s.shredAll(paths, r.ID); err != nil {
		return fmt.Errorf("store: wipe: %w", err)
	}
	return nil
}

// maskNumbers replaces runs of five or more digits (any script) with '#'.
func maskNumbers(s string) string {
	return longNumber.ReplaceAllStringFunc(s, func(m string) string { return strings.Repeat("#", utf8.RuneCountInString(m)) })
}
