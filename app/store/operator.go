package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Summary is one session as operator mode lists it: nothing personal.
type Summary struct {
	ID          string
	Step        flow.Step
	Mode        string
	StartedAt   time.Time
	LastActive  time.Time
	Outcome     string // locale key for rejected / locked / expired
	Finished    bool
	Expired     bool
	Wiped       bool
	NeedsReview bool // locked, or a step's latest verdict needs a person and no operator decided it
}

// CheckRow is one recorded verdict.
type CheckRow struct {
	Step     flow.Step
	Attempt  int
	At       time.Time
	Outcome  string // pass | fail | needs-review | could-not-verify
	Reasons  []string
	Rules    []sdk.Rule
	Score    float64
	Duration time.Duration
	// Provenance is the plugin binary that answered (zero for verdicts recorded before).
	Provenance sdk.Provenance
}

// Result converts the row to the flow's form (for operator screens that show flow.CheckResult).
func (c CheckRow) Result() flow.CheckResult {
	return flow.CheckResult{Step: c.Step, Attempt: c.Attempt, At: c.At, Verdict: sdk.Verdict{Outcome: parseOutcome(c.Outcome),
		Reasons: c.Reasons, Rules: c.Rules, Score: c.Score, Duration: c.Duration, Provenance: c.Provenance}}
}

// parseOutcome reads an outcome's String form; anything else is CouldNotVerify, never a pass.
func parseOutcome(s string) sdk.Outcome {
	for _, o := range []sdk.Outcome{sdk.Pass, sdk.Fail, sdk.NeedsReview, sdk.CouldNotVerify} {
		if o.String() == s {
			return o
		}
	}
	return sdk.CouldNotVerify
}

// OverrideRow is one operator decision.
type OverrideRow struct {
	Step    flow.Step
	Outcome string
	Reason  string
	At      time.Time
}

// EventRow is one step transition.
type EventRow struct {
	From, To flow.Step
	Name     string
	At       time.Time
	Detail   string
}

// Info is one session's non-personal detail: state, history, verdicts, media index.
type Info struct {
	Summary
	Events    []EventRow
	Checks    []CheckRow
	Overrides []OverrideRow
	Media     []MediaInfo
}

// Detail is what operator mode shows for a session under review: Info plus the decrypted
// record, the photos (still images) and the "video" file's bytes as stored.
type Detail struct {
	Info
	Record      flow.Record
	Photos      []PlainMedia
	Video       []byte
	VideoFormat string
}

// Sessions lists sessions started in [from, to), newest first.
func (s *Store) Sessions(ctx context.Context, from, to time.Time) ([]Summary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, step, mode, started_at, last_active, outcome, finished, expired, wiped
		FROM sessions WHERE started_at >= ? AND started_at < ? ORDER BY started_at DESC, rowid DESC`, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	var out []Summary
	for rows.Next() {
		var m Summary
		var started, last int64
		if err := rows.Scan(&m.ID, &m.Step, &m.Mode, &started, &last, &m.Outcome, &m.Finished, &m.Expired, &m.Wiped); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: list sessions: %w", err)
		}
		m.StartedAt, m.LastActive = fromMS(started), fromMS(last)
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	for i := range out {
		if out[i].NeedsReview, err = s.needsReview(ctx, out[i]); err != nil {
			return nil, fmt.Errorf("store: list sessions: %w", err)
		}
	}
	return out, nil
}

// Today lists the sessions started on now's calendar day (in now's location), newest first.
func (s *Store) Today(ctx context.Context, now time.Time) ([]Summary, error) {
	y, m, d := now.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	return s.Sessions(ctx, start, start.AddDate(0, 0, 1))
}

func (s *Store) needsReview(ctx context.Context, m Summary) (bool, error) {
	if m.Wiped || m.Expired {
		return false, nil
	}
	checks, err := s.checks(ctx, m.ID)
	if err != nil {
		return false, err
	}
	overrides, err := s.overrides(ctx, m.ID)
	if err != nil {
		return false, err
	}
	if m.Step == flow.StepLocked && len(overrides) == 0 {
		return true, nil
	}
	latest := map[flow.Step]CheckRow{}
	for _, c := range checks {
		if c.Attempt >= latest[c.Step].Attempt {
			latest[c.Step] = c
		}
	}
	decided := map[flow.Step]time.Time{}
	for _, o := range overrides {
		decided[o.Step] = o.At
	}
	for st, c := range latest {
		if c.Outcome != sdk.NeedsReview.String() && c.Outcome != sdk.CouldNotVerify.String() {
			continue
		}
		if at, ok := decided[st]; !ok || at.Before(c.At) {
			return true, nil
		}
	}
	return false, nil
}

func (s *Store) summary(ctx context.Context, id string) (Summary, error) {
	var m Summary
	var started, last int64
	err := s.db.QueryRowContext(ctx, `SELECT id, step, mode, started_at, last_active, outcome, finished, expired, wiped
		FROM sessions WHERE id = ?`, id).Scan(&m.ID, &m.Step, &m.Mode, &started, &last, &m.Outcome, &m.Finished, &m.Expired, &m.Wiped)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("session: %w", err)
	}
	m.StartedAt, m.LastActive = fromMS(started), fromMS(last)
	m.NeedsReview, err = s.needsReview(ctx, m)
	return m, err
}

func (s *Store) checks(ctx context.Context, id string) ([]CheckRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT step, attempt, at, outcome, reasons, rules, score, duration_ms, provenance
		FROM checks WHERE session_id = ? ORDER BY at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("checks: %w", err)
	}
	defer rows.Close()
	var out []CheckRow
	for rows.Next() {
		var c CheckRow
		var at, dur int64
		var reasons, rules, prov string
		if err := rows.Scan(&c.Step, &c.Attempt, &at, &c.Outcome, &reasons, &rules, &c.Score, &dur, &prov); err != nil {
			return nil, fmt.Errorf("checks: %w", err)
		}
		if prov != "" {
			if err := json.Unmarshal([]byte(prov), &c.Provenance); err != nil {
				return nil, fmt.Errorf("checks: provenance: %w", err)
			}
		}
		if err := json.Unmarshal([]byte(reasons), &c.Reasons); err != nil {
			return nil, fmt.Errorf("checks: reasons: %w", err)
		}
		if err := json.Unmarshal([]byte(rules), &c.Rules); err != nil {
			return nil, fmt.Errorf("checks: rules: %w", err)
		}
		c.At, c.Duration = fromMS(at), time.Duration(dur)*time.Millisecond
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Store) overrides(ctx context.Context, id string) ([]OverrideRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT step, outcome, reason, at FROM overrides WHERE session_id = ? ORDER BY at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("overrides: %w", err)
	}
	defer rows.Close()
	var out []OverrideRow
	for rows.Next() {
		var o OverrideRow
		var at int64
		if err := rows.Scan(&o.Step, &o.Outcome, &o.Reason, &at); err != nil {
			return nil, fmt.Errorf("overrides: %w", err)
		}
		o.At = fromMS(at)
		out = append(out, o)
	}
	return out, rows.Err()
}

func (s *Store) events(ctx context.Context, id string) ([]EventRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT from_step, to_step, name, at, detail FROM events WHERE session_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer rows.Close()
	var out []EventRow
	for rows.Next() {
		var e EventRow
		var at int64
		if err := rows.Scan(&e.From, &e.To, &e.Name, &at, &e.Detail); err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Info returns a session's non-personal detail; nothing is decrypted.
func (s *Store) Info(ctx context.Context, id string) (Info, error) {
	var in Info
	var err error
	if in.Summary, err = s.summary(ctx, id); err != nil {
		return in, fmt.Errorf("store: session info: %w", err)
	}
	if in.Events, err = s.events(ctx, id); err != nil {
		return in, fmt.Errorf("store: session info: %w", err)
	}
	if in.Checks, err = s.checks(ctx, id); err != nil {
		return in, fmt.Errorf("store: session info: %w", err)
	}
	if in.Overrides, err = s.overrides(ctx, id); err != nil {
		return in, fmt.Errorf("store: session info: %w", err)
	}
	if in.Media, err = s.mediaIndex(ctx, id); err != nil {
		return in, fmt.Errorf("store: session info: %w", err)
	}
	return in, nil
}

// Detail returns Info with the decrypted record and media, for an operator reviewing the session.
func (s *Store) Detail(ctx context.Context, id string) (Detail, error) {
	in, err := s.Info(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Info: in}
	if d.Record, err = s.Load(ctx, id); err != nil {
		return Detail{}, err
	}
	for _, m := range in.Media {
		b, err := s.readMedia(id, m)
		if err != nil {
			return Detail{}, fmt.Errorf("store: session detail: %w", err)
		}
		if m.Name == "video" {
			d.Video, d.VideoFormat = b, m.Format
			continue
		}
		d.Photos = append(d.Photos, PlainMedia{Name: m.Name, Format: m.Format, Data: b})
	}
	return d, nil
}

var longNumber = regexp.MustCompile(`\p{Nd}{5,}`)

// Override records an operator's decision on one step (Pass, Fail or NeedsReview; reason a short
// non-personal note or locale key) as an event and an audit entry.
func (s *Store) Override(ctx context.Context, id string, step flow.Step, decision sdk.Outcome, reason string) error {
	if decision != sdk.Pass && decision != sdk.Fail && decision != sdk.NeedsReview {
		return fmt.Errorf("store: override: outcome %q: want pass, fail or needs-review", decision)
	}
	outcome := decision.String()
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 200 {
		return fmt.Errorf("store: override: reason must be 1-200 bytes")
	}
	// The reason goes into the audit chain, which is never purged: refuse anything that looks
	// like a national code, mobile, card serial or code typed by mistake.
	if longNumber.MatchString(reason) {
		return fmt.Errorf("store: override: the reason must not contain long numbers (personal data)")
	}
	at := s.now()
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var cur string
		err := tx.QueryRowContext(ctx, `SELECT step FROM sessions WHERE id = ?`, id).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("session: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO overrides (session_id, step, outcome, reason, at) VALUES (?, ?, ?, ?, ?)`,
			id, string(step), outcome, reason, ms(at)); err != nil {
			return fmt.Errorf("insert override: %w", err)
		}
		detail := string(step) + " " + outcome + " " + reason
		if _, err := tx.ExecContext(ctx, `INSERT INTO events (session_id, from_step, to_step, name, at, detail) VALUES (?, ?, ?, ?, ?, ?)`,
			id, cur, cur, "operator.override", ms(at), detail); err != nil {
			return fmt.Errorf("append event: %w", err)
		}
		return s.appendAudit(ctx, tx, at, id, AuditOverride, string(step), outcome+" "+reason)
	})
	if err != nil {
		return fmt.Errorf("store: override: %w", err)
	}
	return nil
}
