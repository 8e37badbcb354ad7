// Package review is the back office's dossier lifecycle: every dossier the intake receives is
// approved by rule (Assess found nothing) or waits for a named reviewer, who approves, rejects or
// asks for more information with a reason from a list; with four-eyes on, a supervisor confirms
// a rejection or an approval that overrides a failed check. An approved dossier is sent to CSDI,
// its bourse code recorded and the applicant told by SMS. Every change is one guarded UPDATE
// (optimistic locking on the row's version) plus one audit event, in a transaction, naming who,
// when and why.
package review

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/problem"
	"github.com/ehraz/ehraz/domain/text"
	"github.com/ehraz/ehraz/services/sms"
)

// Status is where a dossier is in its lifecycle.
type Status string

// The lifecycle: Received → AutoApproved | PendingReview; PendingReview → Approved | Rejected |
// MoreInfo (or AwaitingConfirmation under four-eyes, then Approved | Rejected | back to
// PendingReview); Approved/AutoApproved → SentToCSDI → BourseCodeIssued.
const (
	Received             Status = "received"
	AutoApproved         Status = "auto_approved"
	PendingReview        Status = "pending_review"
	AwaitingConfirmation Status = "awaiting_confirmation"
	MoreInfo             Status = "more_info"
	Approved             Status = "approved"
	Rejected             Status = "rejected"
	SentToCSDI           Status = "sent_to_csdi"
	BourseCodeIssued     Status = "bourse_code_issued"
)

// Statuses lists every status in lifecycle order (the console's filter).
var Statuses = []Status{PendingReview, AwaitingConfirmation, MoreInfo, AutoApproved, Approved, SentToCSDI, BourseCodeIssued, Rejected}

// Role is what a console account may do.
type Role string

// Reviewers decide; supervisors decide and confirm (four-eyes) and read the report; admins
// manage accounts and read the report but decide nothing (separation of duties).
const (
	RoleReviewer   Role = "reviewer"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Roles lists the roles.
var Roles = []Role{RoleReviewer, RoleSupervisor, RoleAdmin}

// CanDecide reports whether the role may approve, reject or ask.
func (r Role) CanDecide() bool { return r == RoleReviewer || r == RoleSupervisor }

// CanConfirm reports whether the role may confirm another person's decision.
func (r Role) CanConfirm() bool { return r == RoleSupervisor }

// Actor is who makes a change: a reviewer's user name and role, "rule" for the automatic
// decision, or "kiosk:<id>" for an amendment.
type Actor struct {
	Name string
	Role Role
}

// RuleActor is the automatic decision's actor.
var RuleActor = Actor{Name: "rule"}

// Action is a reviewer's decision.
type Action string

// The decisions a reviewer makes.
const (
	Approve Action = "approve"
	Reject  Action = "reject"
	Ask     Action = "ask" // more information needed
)

// Reasons are the reason keys a decision may give, per action (locales/*/console.json holds
// their text); ReasonOther needs a note.
var Reasons = map[Action][]string{
	Approve: {"review.reason.verified_manually", "review.reason.detector_error", "review.reason.other"},
	Reject: {"review.reason.face_mismatch", "review.reason.not_live", "review.reason.signature_invalid",
		"review.reason.document_invalid", "review.reason.suspected_fraud", "review.reason.other"},
	Ask: {"review.reason.retake_selfie", "review.reason.retake_signature", "review.reason.retake_video",
		"review.reason.card_unclear", "review.reason.other"},
}

// ReasonOther is the reason that must be explained in the note.
const ReasonOther = "review.reason.other"

// MaxNote bounds a decision's free text.
const MaxNote = 2000

// Errors a change can meet; each is a *problem.Error whose key the console shows.
var (
	ErrNotFound     = problem.New("review.error.not_found")
	ErrStale        = problem.New("review.error.stale")         // someone else changed it first
	ErrTransition   = problem.New("review.error.transition")    // not from this status
	ErrForbidden    = problem.New("review.error.forbidden")     // not with this role
	ErrReason       = problem.New("review.error.reason")        // missing or not from the list
	ErrNoteRequired = problem.New("review.error.note_required") // "other" without a note
	ErrSamePerson   = problem.New("review.error.same_person")   // four-eyes needs two people
	ErrBourseCode   = problem.New("intake.bourse_code_invalid")
	ErrBourseTaken  = problem.New("review.error.bourse_code_recorded")
	ErrBourseUsed   = problem.New("review.error.bourse_code_used") // another dossier holds it
)

// Config configures a Service.
type Config struct {
	// DataKey (32 bytes) opens stored dossiers (for the SMS's mobile number) and seals notes.
	DataKey []byte
	// SMS sends the bourse-code notice; Template is its gateway template.
	SMS      sms.Sender
	Template sms.Template
	// FourEyes makes a supervisor confirm a rejection or an approval that overrides a failed
	// check.
	FourEyes bool
	Now      func() time.Time
}

// Service is the lifecycle over the back office's database.
type Service struct {
	db  *database.DB
	cfg Config
}

// New returns the lifecycle over db (backoffice/database).
func New(db *database.DB, cfg Config) (*Service, error) {
	if len(cfg.DataKey) != 32 {
		return nil, fmt.Errorf("review: data key must be 32 bytes")
	}
	if cfg.SMS == nil {
		return nil, fmt.Errorf("review: an SMS sender is required")
	}
	if cfg.Template == "" {
		cfg.Template = "ehraz-bourse-code"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{db: db, cfg: cfg}, nil
}

// FourEyes reports whether decisions need a supervisor's confirmation.
func (s *Service) FourEyes() bool { return s.cfg.FourEyes }

// Initial is the status a newly received dossier takes: AutoApproved when Assess found nothing.
func Initial(findings []Finding) Status {
	if len(findings) == 0 {
		return AutoApproved
	}
	return PendingReview
}

// RecordReceipt writes the audit events of a dossier just inserted (in the intake's transaction):
// its receipt, then the rule's decision.
func RecordReceipt(ctx context.Context, tx *database.Tx, id int64, kioskID string, findings []Finding, at time.Time) error {
	ms := at.UnixMilli()
	if _, err := tx.ExecContext(ctx, `INSERT INTO dossier_events (dossier_id, at, actor, action, to_status) VALUES (?, ?, ?, 'received', 'received')`,
		id, ms, "kiosk:"+kioskID); err != nil {
		return fmt.Errorf("review: record receipt: %w", err)
	}
	to := Initial(findings)
	action := "auto_approved"
	if to != AutoApproved {
		action = "queued"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO dossier_events (dossier_id, at, actor, action, from_status, to_status) VALUES (?, ?, 'rule', ?, 'received', ?)`,
		id, ms, action, string(to)); err != nil {
		return fmt.Errorf("review: record rule: %w", err)
	}
	return nil
}

// EncodeFindings is the stored form of findings.
func EncodeFindings(f []Finding) string {
	if len(f) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(f)
	return string(b)
}

// Decision is a reviewer's approve, reject or ask on the dossier version they saw.
type Decision struct {
	DossierID int64
	Version   int64 // the version the reviewer saw; a newer one means someone else decided
	Actor     Actor
	Action    Action
	Reason    string // a key of Reasons[Action]
	Note      string // free text; required with ReasonOther
}

// proposal is a decision awaiting a supervisor (four-eyes).
type proposal struct {
	Action Action `json:"action"`
	Reason string `json:"reason"`
	Note   string `json:"note,omitempty"` // sealed, base64
	By     string `json:"by"`
	At     int64  `json:"at"`
}

func (d Decision) validate() error {
	if !d.Actor.Role.CanDecide() {
		return ErrForbidden
	}
	if !slices.Contains(Reasons[d.Action], d.Reason) {
		return ErrReason
	}
	if d.Reason == ReasonOther && strings.TrimSpace(d.Note) == "" {
		return ErrNoteRequired
	}
	if len(d.Note) > MaxNote {
		return ErrReason
	}
	return nil
}

// row is the part of a dossier the lifecycle reads before changing it.
type row struct {
	status   Status
	version  int64
	findings []Finding
	proposal string
}

func (s *Service) load(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int64) (row, error) {
	var r row
	var findings string
	err := q.QueryRowContext(ctx, `SELECT status, version, findings, proposal FROM dossiers WHERE id = ?`, id).
		Scan((*string)(&r.status), &r.version, &findings, &r.proposal)
	if errors.Is(err, sql.ErrNoRows) {
		return row{}, ErrNotFound
	}
	if err != nil {
		return row{}, fmt.Errorf("review: read dossier %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(findings), &r.findings); err != nil {
		return row{}, fmt.Errorf("review: dossier %d findings: %w", id, err)
	}
	return r, nil
}

// overridesFailure reports whether approving goes against a detector's failure or an operator's
// override of one: what four-eyes guards.
func overridesFailure(f []Finding) bool {
	return slices.ContainsFunc(f, func(x Finding) bool {
		return x.Key == "review.finding.failed" || x.Key == "review.finding.override" || x.Key == "review.finding.many_attempts"
	})
}

// Decide applies a reviewer's decision. Under four-eyes a rejection, or an approval against a
// failed check, becomes a proposal a supervisor confirms. It returns the new status.
func (s *Service) Decide(ctx context.Context, d Decision) (Status, error) {
	if err := d.validate(); err != nil {
		return "", err
	}
	var out Status
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		r, err := s.load(ctx, tx, d.DossierID)
		if err != nil {
			return err
		}
		if r.version != d.Version {
			return ErrStale
		}
		switch r.status {
		case PendingReview, MoreInfo:
		case AutoApproved:
			// A supervisor may still stop an auto-approved dossier before it goes to CSDI.
			if d.Action != Reject || d.Actor.Role != RoleSupervisor {
				return ErrTransition
			}
		default:
			return ErrTransition
		}
		to := map[Action]Status{Approve: Approved, Reject: Rejected, Ask: MoreInfo}[d.Action]
		note, err := s.sealNote(d.Note)
		if err != nil {
			return err
		}
		now := s.cfg.Now().UnixMilli()
		if s.cfg.FourEyes && (d.Action == Reject || (d.Action == Approve && overridesFailure(r.findings))) {
			p, _ := json.Marshal(proposal{Action: d.Action, Reason: d.Reason, Note: note, By: d.Actor.Name, At: now})
			if err := s.change(ctx, tx, d.DossierID, r, AwaitingConfirmation, `proposal = ?`, string(p)); err != nil {
				return err
			}
			out = AwaitingConfirmation
			return s.event(ctx, tx, d.DossierID, now, d.Actor, "proposed_"+string(d.Action), r.status, AwaitingConfirmation, d.Reason, note)
		}
		if err := s.change(ctx, tx, d.DossierID, r, to, `decided_by = ?, decided_at = ?, decision_reason = ?, proposal = ''`, d.Actor.Name, now, d.Reason); err != nil {
			return err
		}
		out = to
		return s.event(ctx, tx, d.DossierID, now, d.Actor, string(d.Action), r.status, to, d.Reason, note)
	})
	return out, err
}

// Confirm is a supervisor's answer to a four-eyes proposal: accept applies it (naming both
// people in the trail), decline sends the dossier back to the queue. The supervisor must not be
// the proposer.
func (s *Service) Confirm(ctx context.Context, id, version int64, by Actor, accept bool, note string) (Status, error) {
	if !by.Role.CanConfirm() {
		return "", ErrForbidden
	}
	if !accept && strings.TrimSpace(note) == "" {
		return "", ErrNoteRequired
	}
	var out Status
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		r, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.version != version {
			return ErrStale
		}
		if r.status != AwaitingConfirmation {
			return ErrTransition
		}
		var p proposal
		if err := json.Unmarshal([]byte(r.proposal), &p); err != nil {
			return fmt.Errorf("review: dossier %d proposal: %w", id, err)
		}
		if p.By == by.Name {
			return ErrSamePerson
		}
		sealed, err := s.sealNote(note)
		if err != nil {
			return err
		}
		now := s.cfg.Now().UnixMilli()
		if !accept {
			if err := s.change(ctx, tx, id, r, PendingReview, `proposal = ''`); err != nil {
				return err
			}
			out = PendingReview
			return s.event(ctx, tx, id, now, by, "declined_"+string(p.Action), r.status, PendingReview, p.Reason, sealed)
		}
		to := map[Action]Status{Approve: Approved, Reject: Rejected}[p.Action]
		if err := s.change(ctx, tx, id, r, to, `decided_by = ?, decided_at = ?, decision_reason = ?, proposal = ''`, p.By+" + "+by.Name, now, p.Reason); err != nil {
			return err
		}
		out = to
		return s.event(ctx, tx, id, now, by, "confirmed_"+string(p.Action), r.status, to, p.Reason, sealed)
	})
	return out, err
}

// MarkSent records that an approved dossier was sent to CSDI.
func (s *Service) MarkSent(ctx context.Context, id, version int64, by Actor) error {
	if !by.Role.CanDecide() {
		return ErrForbidden
	}
	return s.db.InTx(ctx, func(tx *database.Tx) error {
		r, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.version != version {
			return ErrStale
		}
		if r.status != Approved && r.status != AutoApproved {
			return ErrTransition
		}
		if err := s.change(ctx, tx, id, r, SentToCSDI, ""); err != nil {
			return err
		}
		return s.event(ctx, tx, id, s.cfg.Now().UnixMilli(), by, "sent_to_csdi", r.status, SentToCSDI, "", "")
	})
}

// BourseCodePattern is three Persian letters then five digits (after NormalizeBourseCode). The
// letters are named one by one: the Arabic block also holds punctuation (، ؛ ؟), digits and
// diacritics, which are not letters of a code.
var BourseCodePattern = regexp.MustCompile(`^[\x{0621}-\x{063A}\x{0641}-\x{064A}\x{067E}\x{0686}\x{0698}\x{06A9}\x{06AF}\x{06CC}]{3}[0-9]{5}$`)

// NormalizeBourseCode maps Persian/Arabic digits to ASCII and Arabic letters to Persian
// (domain/text), and drops spaces and ZWNJ.
func NormalizeBourseCode(s string) string {
	return strings.NewReplacer(" ", "", "\u200c", "").Replace(text.PersianLetters(text.ASCIIDigits(strings.TrimSpace(s))))
}

// BourseResult is what recording a bourse code did.
type BourseResult struct {
	Code    string
	SMSSent bool
	SMSErr  error // why the SMS failed (the code stays recorded; sending again retries it)
}

// IssueBourseCode records the bourse code CSDI issued for an approved dossier and tells the
// applicant by SMS. Recording the same code again retries only a failed SMS; a different code
// for a dossier that has one is refused. A dossier that is not approved gets ErrTransition.
func (s *Service) IssueBourseCode(ctx context.Context, id int64, code string, by Actor) (BourseResult, error) {
	if by.Name != RuleActor.Name && !by.Role.CanDecide() && by.Role != "" {
		return BourseResult{}, ErrForbidden
	}
	code = NormalizeBourseCode(code)
	if !BourseCodePattern.MatchString(code) {
		return BourseResult{}, ErrBourseCode
	}
	var (
		key, prev string
		payload   []byte
		smsAt     sql.NullInt64
	)
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		r, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT idempotency_key, payload, bourse_code, sms_sent_at FROM dossiers WHERE id = ?`, id).
			Scan(&key, &payload, &prev, &smsAt); err != nil {
			return fmt.Errorf("review: read dossier %d: %w", id, err)
		}
		switch {
		case prev != "" && prev != code:
			return ErrBourseTaken
		case prev == code:
			return nil // already recorded: maybe only the SMS is left
		case r.status != Approved && r.status != AutoApproved && r.status != SentToCSDI:
			return ErrTransition
		}
		if err := s.change(ctx, tx, id, r, BourseCodeIssued, `bourse_code = ?`, code); errors.Is(err, ErrTransition) {
			return ErrBourseUsed // the unique index: another dossier holds this code
		} else if err != nil {
			return err
		}
		return s.event(ctx, tx, id, s.cfg.Now().UnixMilli(), by, "bourse_code", r.status, BourseCodeIssued, "", "")
	})
	if err != nil {
		return BourseResult{}, err
	}
	res := BourseResult{Code: code}
	if smsAt.Valid {
		res.SMSSent = true
		return res, nil
	}
	if res.SMSErr = s.notify(ctx, key, payload, code); res.SMSErr != nil {
		s.db.ExecContext(ctx, `UPDATE dossiers SET sms_error = ? WHERE id = ?`, "sms_failed", id)
		return res, nil
	}
	res.SMSSent = true
	now := s.cfg.Now().UnixMilli()
	s.db.ExecContext(ctx, `UPDATE dossiers SET sms_sent_at = ?, sms_error = '' WHERE id = ?`, now, id)
	s.db.ExecContext(ctx, `INSERT INTO dossier_events (dossier_id, at, actor, role, action) VALUES (?, ?, ?, ?, 'sms_sent')`, id, now, by.Name, string(by.Role))
	return res, nil
}

func (s *Service) notify(ctx context.Context, key string, payload []byte, code string) error {
	d, err := OpenDossier(s.cfg.DataKey, key, payload)
	if err != nil {
		return err
	}
	mobile := string(d.Applicant.Mobile)
	if mobile == "" {
		mobile = string(d.Applicant.Person.Mobile)
	}
	if mobile == "" {
		return fmt.Errorf("dossier has no mobile number")
	}
	_, err = s.cfg.SMS.Send(ctx, mobile, sms.Message{Template: s.cfg.Template, Tokens: []string{code}})
	return err
}

// OpenDossier opens a stored dossier's sealed payload (bound to its idempotency key).
func OpenDossier(dataKey []byte, key string, payload []byte) (dossier.Dossier, error) {
	body, err := dossier.Open(dataKey, payload, []byte(key))
	if err != nil {
		return dossier.Dossier{}, fmt.Errorf("open dossier: %w", err)
	}
	var d dossier.Dossier
	if err := json.Unmarshal(body, &d); err != nil {
		return dossier.Dossier{}, fmt.Errorf("decode dossier: %w", err)
	}
	return d, nil
}

// change moves the dossier from r to status, setting set's extra columns, if nobody changed it
// since r was read.
func (s *Service) change(ctx context.Context, tx *database.Tx, id int64, r row, to Status, set string, args ...any) error {
	q := `UPDATE dossiers SET status = ?, version = version + 1`
	if set != "" {
		q += ", " + set
	}
	q += ` WHERE id = ? AND version = ?`
	all := append([]any{string(to)}, args...)
	all = append(all, id, r.version)
	res, err := tx.ExecContext(ctx, q, all...)
	if err != nil {
		if database.IsUniqueViolation(err) {
			// Leaving "rejected" would take the national code of a newer dossier.
			return ErrTransition
		}
		return fmt.Errorf("review: update dossier %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrStale
	}
	return nil
}

func (s *Service) event(ctx context.Context, tx *database.Tx, id, at int64, by Actor, action string, from, to Status, reason, sealedNote string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO dossier_events (dossier_id, at, actor, role, action, from_status, to_status, reason, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, at, by.Name, string(by.Role), action, string(from), string(to), reason, sealedNote)
	if err != nil {
		return fmt.Errorf("review: record event: %w", err)
	}
	return nil
}

// sealNote seals free text for the audit trail (it may name the applicant); "" stays "".
func (s *Service) sealNote(note string) (string, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return "", nil
	}
	b, err := dossier.Seal(s.cfg.DataKey, []byte(note), []byte("review-note"))
	if err != nil {
		return "", fmt.Errorf("review: seal note: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// OpenNote reverses sealNote.
func (s *Service) OpenNote(sealed string) string {
	if sealed == "" {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return ""
	}
	plain, err := dossier.Open(s.cfg.DataKey, b, []byte("review-note"))
	if err != nil {
		return ""
	}
	return string(plain)
}
