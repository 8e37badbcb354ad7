package review

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ehraz/ehraz/domain/dossier"
)

// Item is one dossier in the queue: no personal data, so a list can be shown and logged.
type Item struct {
	ID         int64
	Key        string
	SessionID  string
	KioskID    string
	Mode       string
	ReceivedAt time.Time
	Status     Status
	Version    int64
	Findings   []Finding
	DecidedBy  string
	BourseCode string
	SMSSent    bool
}

// Filter narrows the queue. Zero fields do not filter; From and To bound the receipt time.
type Filter struct {
	Status Status
	Kiosk  string
	From   time.Time
	To     time.Time
	Limit  int // [50], at most 500
	Offset int
}

// Page is one page of the queue, oldest first, with the counts of every status under the same
// kiosk and date filters.
type Page struct {
	Items  []Item
	Total  int // items matching the whole filter
	Counts map[Status]int
}

func (f Filter) where(withStatus bool) (string, []any) {
	var conds []string
	var args []any
	if withStatus && f.Status != "" {
		conds = append(conds, "status = ?")
		args = append(args, string(f.Status))
	}
	if f.Kiosk != "" {
		conds = append(conds, "kiosk_id = ?")
		args = append(args, f.Kiosk)
	}
	if !f.From.IsZero() {
		conds = append(conds, "received_at >= ?")
		args = append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		conds = append(conds, "received_at < ?")
		args = append(args, f.To.UnixMilli())
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

const itemColumns = `id, idempotency_key, session_id, kiosk_id, mode, received_at, status, version, findings, decided_by, bourse_code, sms_sent_at IS NOT NULL`

func scanItem(sc interface{ Scan(...any) error }) (Item, error) {
	var it Item
	var at int64
	var findings string
	if err := sc.Scan(&it.ID, &it.Key, &it.SessionID, &it.KioskID, &it.Mode, &at, (*string)(&it.Status), &it.Version,
		&findings, &it.DecidedBy, &it.BourseCode, &it.SMSSent); err != nil {
		return Item{}, err
	}
	it.ReceivedAt = time.UnixMilli(at)
	if err := json.Unmarshal([]byte(findings), &it.Findings); err != nil {
		return Item{}, fmt.Errorf("findings: %w", err)
	}
	return it, nil
}

// Queue lists the dossiers matching f, oldest first.
func (s *Service) Queue(ctx context.Context, f Filter) (Page, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	where, args := f.where(true)
	page := Page{Counts: map[Status]int{}}
	rows, err := s.db.QueryContext(ctx, `SELECT `+itemColumns+` FROM dossiers`+where+` ORDER BY received_at, id LIMIT ? OFFSET ?`,
		append(slices.Clone(args), f.Limit, max(f.Offset, 0))...)
	if err != nil {
		return Page{}, fmt.Errorf("review: queue: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return Page{}, fmt.Errorf("review: queue: %w", err)
		}
		page.Items = append(page.Items, it)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("review: queue: %w", err)
	}
	cwhere, cargs := f.where(false)
	crows, err := s.db.QueryContext(ctx, `SELECT status, count(*) FROM dossiers`+cwhere+` GROUP BY status`, cargs...)
	if err != nil {
		return Page{}, fmt.Errorf("review: counts: %w", err)
	}
	defer crows.Close()
	for crows.Next() {
		var st string
		var n int
		if err := crows.Scan(&st, &n); err != nil {
			return Page{}, fmt.Errorf("review: counts: %w", err)
		}
		page.Counts[Status(st)] = n
		if f.Status == "" || Status(st) == f.Status {
			page.Total += n
		}
	}
	return page, crows.Err()
}

// Kiosks lists the kiosk ids that sent dossiers (the queue's filter).
func (s *Service) Kiosks(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT kiosk_id FROM dossiers ORDER BY kiosk_id LIMIT 1000`)
	if err != nil {
		return nil, fmt.Errorf("review: kiosks: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Event is one line of a dossier's audit trail.
type Event struct {
	At     time.Time
	Actor  string
	Role   Role
	Action string
	From   Status
	To     Status
	Reason string
	Note   string // opened
}

// Amendment is an operator's override or note sent by the kiosk after submission.
type Amendment struct {
	ReceivedAt time.Time
	KioskID    string
	Body       dossier.Amendment
}

// Proposal is a four-eyes decision awaiting a supervisor.
type Proposal struct {
	Action Action
	Reason string
	Note   string
	By     string
	At     time.Time
}

// Case is everything the dossier screen shows.
type Case struct {
	Item
	Dossier        dossier.Dossier
	Events         []Event
	Amendments     []Amendment
	Proposal       *Proposal
	DecidedAt      time.Time
	DecisionReason string
	// Purged: past the keeping period, only the tombstone is left (Dossier is empty).
	Purged bool
}

// Get returns one dossier, opened, with its trail and amendments.
func (s *Service) Get(ctx context.Context, id int64) (Case, error) {
	var c Case
	var payload []byte
	var decidedAt sql.NullInt64
	var prop string
	r := s.db.QueryRowContext(ctx, `SELECT `+itemColumns+`, payload, decided_at, decision_reason, proposal FROM dossiers WHERE id = ?`, id)
	var it Item
	var at int64
	var findings string
	err := r.Scan(&it.ID, &it.Key, &it.SessionID, &it.KioskID, &it.Mode, &at, (*string)(&it.Status), &it.Version,
		&findings, &it.DecidedBy, &it.BourseCode, &it.SMSSent, &payload, &decidedAt, &c.DecisionReason, &prop)
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, ErrNotFound
	}
	if err != nil {
		return Case{}, fmt.Errorf("review: read dossier %d: %w", id, err)
	}
	it.ReceivedAt = time.UnixMilli(at)
	if err := json.Unmarshal([]byte(findings), &it.Findings); err != nil {
		return Case{}, fmt.Errorf("review: dossier %d findings: %w", id, err)
	}
	c.Item = it
	if decidedAt.Valid {
		c.DecidedAt = time.UnixMilli(decidedAt.Int64)
	}
	if len(payload) == 0 {
		c.Purged = true // reduced to its tombstone by the retention policy
	} else if c.Dossier, err = OpenDossier(s.cfg.DataKey, it.Key, payload); err != nil {
		return Case{}, fmt.Errorf("review: dossier %d: %w", id, err)
	}
	if prop != "" {
		var p proposal
		if err := json.Unmarshal([]byte(prop), &p); err == nil {
			c.Proposal = &Proposal{Action: p.Action, Reason: p.Reason, Note: s.OpenNote(p.Note), By: p.By, At: time.UnixMilli(p.At)}
		}
	}
	if c.Events, err = s.events(ctx, id); err != nil {
		return Case{}, err
	}
	if c.Amendments, err = s.amendments(ctx, id); err != nil {
		return Case{}, err
	}
	return c, nil
}

func (s *Service) events(ctx context.Context, id int64) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, actor, role, action, from_status, to_status, reason, note FROM dossier_events WHERE dossier_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("review: events of %d: %w", id, err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		var note string
		if err := rows.Scan(&at, &e.Actor, (*string)(&e.Role), &e.Action, (*string)(&e.From), (*string)(&e.To), &e.Reason, &note); err != nil {
			return nil, fmt.Errorf("review: events of %d: %w", id, err)
		}
		e.At, e.Note = time.UnixMilli(at), s.OpenNote(note)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Status is a dossier's status by its idempotency key (the kiosk's look-up).
func (s *Service) StatusByKey(ctx context.Context, key string) (Status, string, error) {
	var st, code string
	err := s.db.QueryRowContext(ctx, `SELECT status, bourse_code FROM dossiers WHERE idempotency_key = ?`, key).Scan(&st, &code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("review: status: %w", err)
	}
	return Status(st), code, nil
}

// IDByKey returns the row id of the dossier with this idempotency key or session id.
func (s *Service) IDByKey(ctx context.Context, key, sessionID string) (int64, error) {
	where, arg := "idempotency_key = ?", key
	if key == "" {
		where, arg = "session_id = ?", sessionID
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM dossiers WHERE `+where+` ORDER BY id DESC LIMIT 1`, arg).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("review: find dossier: %w", err)
	}
	return id, nil
}

// Tracking is what an applicant may learn about their newest dossier at a kiosk, after proving
// their mobile number there: its status, when it arrived, and the bourse code once issued.
type Tracking struct {
	Found      bool
	Status     Status
	ReceivedAt time.Time
	BourseCode string
}

// Track looks up the newest dossier of the national code whose applicant's verified mobile is
// mobile. A dossier under another mobile answers like no dossier at all, so the look-up tells
// nothing to someone who knows only a national code. ncHash is the intake's keyed hash.
func (s *Service) Track(ctx context.Context, ncHash []byte, mobile string) (Tracking, error) {
	var key, code string
	var payload []byte
	var at int64
	var st string
	err := s.db.QueryRowContext(ctx, `SELECT idempotency_key, payload, status, received_at, bourse_code FROM dossiers WHERE nc_hash = ? ORDER BY received_at DESC, id DESC LIMIT 1`, ncHash).
		Scan(&key, &payload, &st, &at, &code)
	if errors.Is(err, sql.ErrNoRows) {
		return Tracking{}, nil
	}
	if err != nil {
		return Tracking{}, fmt.Errorf("review: track: %w", err)
	}
	if len(payload) == 0 { // purged: nothing left to match the mobile against
		return Tracking{}, nil
	}
	d, err := OpenDossier(s.cfg.DataKey, key, payload)
	if err != nil {
		return Tracking{}, fmt.Errorf("review: track: %w", err)
	}
	if mobile == "" || (string(d.Applicant.Mobile) != mobile && string(d.Applicant.Person.Mobile) != mobile) {
		return Tracking{}, nil
	}
	return Tracking{Found: true, Status: Status(st), ReceivedAt: time.UnixMilli(at), BourseCode: code}, nil
}
