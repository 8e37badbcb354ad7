// Package otp issues and checks the kiosk's own one-time codes (step 2: proving control of the
// mobile number typed at the kiosk). Codes come from crypto/rand and are sent through an SMS
// provider; only hashes are stored (HMAC-SHA-256 under the service key with a per-code salt),
// compared in constant time. A code lives 2 minutes, allows 5 tries, may be resent after 60
// seconds, and sends are rate-limited per number and per kiosk. It implements flow.OTP.
package otp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	clk "github.com/ehraz/ehraz/domain/clock"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/domain/problem"
	"github.com/ehraz/ehraz/domain/text"
	"github.com/ehraz/ehraz/services/sms"
)

// Config holds the OTP rules. Zero fields take the defaults in brackets.
type Config struct {
	KioskID     string        `toml:"-"`            // rate-limit bucket of this kiosk
	Template    sms.Template  `toml:"template"`     // gateway template ["ehraz-otp"]
	Digits      int           `toml:"digits"`       // code length [6]
	TTL         time.Duration `toml:"-"`            // code lifetime [2m]
	MaxAttempts int           `toml:"max_attempts"` // tries per code [5]
	ResendAfter time.Duration `toml:"-"`            // resend cooldown [60s]
	// Window and the two limits: at most PerNumber sends to one number and PerKiosk sends from
	// this kiosk within Window [1h, 5, 60].
	Window    time.Duration `toml:"-"`
	PerNumber int           `toml:"per_number"`
	PerKiosk  int           `toml:"per_kiosk"`
}

func (c *Config) defaults() {
	if c.Template == "" {
		c.Template = "ehraz-otp"
	}
	if c.Digits <= 0 {
		c.Digits = 6
	}
	if c.TTL <= 0 {
		c.TTL = 2 * time.Minute
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.ResendAfter <= 0 {
		c.ResendAfter = 60 * time.Second
	}
	if c.Window <= 0 {
		c.Window = time.Hour
	}
	if c.PerNumber <= 0 {
		c.PerNumber = 5
	}
	if c.PerKiosk <= 0 {
		c.PerKiosk = 60
	}
}

// Service implements flow.OTP on the tables of migration 0100_otp.sql.
type Service struct {
	db     *sql.DB
	sender sms.Sender
	key    []byte
	cfg    Config
	now    func() time.Time
	since  func(time.Time) time.Duration

	mu sync.Mutex
	// sent remembers, per session, when this process issued the session's code, on a reading
	// that setting the wall clock does not move (see domain/clock): a code's lifetime and the
	// resend cooldown are measured on it. A code issued before a restart is judged on the wall
	// clock, and one whose issue lies in the wall clock's future (the clock was set back) counts
	// as expired and may be sent again.
	sent map[string]issue
}

// issue is when a code was sent: at (with its elapsed reading) and how far at lies past the
// whole millisecond the database and the reported instants use.
type issue struct {
	at   time.Time
	frac time.Duration
}

var _ flow.OTP = (*Service)(nil)

// New returns the service. key (at least 32 bytes) keys the hashes: without it a stolen
// database does not reveal codes or numbers. now may be nil (time.Now).
func New(db *sql.DB, sender sms.Sender, key []byte, cfg Config, now func() time.Time) (*Service, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("otp: key is %d bytes, want at least 32", len(key))
	}
	if db == nil || sender == nil {
		return nil, fmt.Errorf("otp: database and SMS sender are required")
	}
	cfg.defaults()
	s := &Service{db: db, sender: sender, key: key, cfg: cfg, now: now, sent: map[string]issue{}}
	if now == nil {
		s.UseClock(clk.System{})
	} else {
		s.since = func(t time.Time) time.Duration { return s.now().Sub(t) }
	}
	return s, nil
}

// UseClock makes c the service's clock (New's now, plus elapsed time that ignores the wall clock
// being set).
func (s *Service) UseClock(c clk.Clock) {
	s.now, s.since = c.Now, c.Since
}

// elapsed is how long ago the session's code was issued, measured from the reported (whole
// millisecond) instant, when this process issued it.
func (s *Service) elapsed(sessionID string) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, ok := s.sent[sessionID]
	if !ok {
		return 0, false
	}
	return s.since(is.at) + is.frac, true
}

// remember notes a code issued at sent (untruncated) and drops notes of codes a day old, which
// the database forgets too.
func (s *Service) remember(sessionID string, sent, instant time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, is := range s.sent {
		if s.since(is.at) > 24*time.Hour {
			delete(s.sent, id)
		}
	}
	s.sent[sessionID] = issue{at: sent, frac: sent.Sub(instant)}
}

func (s *Service) forget(sessionID string) {
	s.mu.Lock()
	delete(s.sent, sessionID)
	s.mu.Unlock()
}

func (s *Service) mac(parts ...[]byte) []byte {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		m.Write([]byte(strconv.Itoa(len(p)))) // length-prefix so parts cannot run into each other
		m.Write([]byte{':'})
		m.Write(p)
	}
	return m.Sum(nil)
}

// instant is now on the database's whole milliseconds, so the ExpiresAt and ResendAt the service
// reports are exactly the instants it stores and enforces (a code is refused from its ExpiresAt
// on, a resend allowed from its ResendAt on), never a fraction of a millisecond apart.
func (s *Service) instant() time.Time { return s.now().Truncate(time.Millisecond) }

// past reports whether d has passed since the session's code was issued: on elapsed time when
// this process issued it, else on the wall clock from issued (its reported instant) — and a wall
// clock set back before issued counts as past, since the code's age is then unknown.
func (s *Service) past(sessionID string, d time.Duration, now time.Time, issued int64) bool {
	if e, ok := s.elapsed(sessionID); ok {
		return e >= d
	}
	return now.UnixMilli() < issued || now.UnixMilli() >= issued+d.Milliseconds()
}

// Send issues a fresh code for the session and sends it to mobile (normalized 09XXXXXXXXX).
func (s *Service) Send(ctx context.Context, sessionID string, mobile kyc.Mobile) (flow.OTPState, error) {
	sent := s.now()
	now := sent.Truncate(time.Millisecond)
	mobileHash := s.mac([]byte("mobile"), []byte(mobile))
	var resendAt int64
	err := s.db.QueryRowContext(ctx, `SELECT resend_at FROM otp_codes WHERE session_id = ?`, sessionID).Scan(&resendAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return flow.OTPState{}, fmt.Errorf("otp: read session code: %w", err)
	case !s.past(sessionID, s.cfg.ResendAfter, now, resendAt-s.cfg.ResendAfter.Milliseconds()):
		wait := time.UnixMilli(resendAt).Sub(now)
		if e, ok := s.elapsed(sessionID); ok {
			wait = s.cfg.ResendAfter - e
		}
		return flow.OTPState{ResendAt: time.UnixMilli(resendAt)},
			problem.New("otp.resend_too_soon", "seconds", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
	}
	since := now.Add(-s.cfg.Window).UnixMilli()
	// Keep no more than the limits need: sends older than the window and codes dead for a day.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM otp_sends WHERE sent_at <= ?`, since); err != nil {
		return flow.OTPState{}, fmt.Errorf("otp: purge old sends: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM otp_codes WHERE expires_at < ?`, now.Add(-24*time.Hour).UnixMilli()); err != nil {
		return flow.OTPState{}, fmt.Errorf("otp: purge old codes: %w", err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM otp_sends WHERE mobile_hash = ? AND sent_at > ?`, mobileHash, since).Scan(&n); err != nil {
		return flow.OTPState{}, fmt.Errorf("otp: count sends to number: %w", err)
	}
	if n >= s.cfg.PerNumber {
		return flow.OTPState{}, problem.New("otp.rate_limited_number")
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM otp_sends WHERE kiosk_id = ? AND sent_at > ?`, s.cfg.KioskID, since).Scan(&n); err != nil {
		return flow.OTPState{}, fmt.Errorf("otp: count sends from kiosk: %w", err)
	}
	if n >= s.cfg.PerKiosk {
		return flow.OTPState{}, problem.New("otp.rate_limited_kiosk")
	}

	code, err := newCode(s.cfg.Digits)
	if err != nil {
		return flow.OTPState{}, err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return flow.OTPState{}, fmt.Errorf("otp: salt: %w", err)
	}
	st := flow.OTPState{
		ExpiresAt:    now.Add(s.cfg.TTL),
		ResendAt:     now.Add(s.cfg.ResendAfter),
		AttemptsLeft: s.cfg.MaxAttempts,
	}
	// Store before sending: a code that reached the phone must be checkable.
	_, err = s.db.ExecContext(ctx, `INSERT INTO otp_codes (session_id, mobile_hash, salt, code_hash, expires_at, resend_at, attempts_left, used)
		VALUES (?, ?, ?, ?, ?, ?, ?, 0)
		ON CONFLICT (session_id) DO UPDATE SET mobile_hash = excluded.mobile_hash, salt = excluded.salt,
			code_hash = excluded.code_hash, expires_at = excluded.expires_at, resend_at = excluded.resend_at,
			attempts_left = excluded.attempts_left, used = 0`,
		sessionID, mobileHash, salt, s.mac(salt, []byte(sessionID), []byte(code)),
		st.ExpiresAt.UnixMilli(), st.ResendAt.UnixMilli(), st.AttemptsLeft)
	if err != nil {
		return flow.OTPState{}, fmt.Errorf("otp: store code: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO otp_sends (mobile_hash, kiosk_id, sent_at) VALUES (?, ?, ?)`, mobileHash, s.cfg.KioskID, now.UnixMilli()); err != nil {
		return flow.OTPState{}, fmt.Errorf("otp: record send: %w", err)
	}
	rc, err := s.sender.Send(ctx, string(mobile), sms.Message{Template: s.cfg.Template, Tokens: []string{code}})
	if err != nil {
		// The code never left: let the applicant retry at once.
		if _, derr := s.db.ExecContext(ctx, `DELETE FROM otp_codes WHERE session_id = ?`, sessionID); derr != nil {
			return flow.OTPState{}, fmt.Errorf("otp: send failed (%w) and clearing the code failed: %v", err, derr)
		}
		return flow.OTPState{}, err
	}
	s.remember(sessionID, sent, now)
	st.DemoCode = rc.DemoCode
	return st, nil
}

// Verify checks code against the session's current code. Each call uses up one try before the
// comparison, so parallel guesses cannot exceed the limit.
func (s *Service) Verify(ctx context.Context, sessionID, code string) (flow.OTPState, error) {
	now := s.instant()
	code = text.Compact(code) // applicants type Persian or Arabic-Indic digits, and spaces
	var expires int64
	if err := s.db.QueryRowContext(ctx, `SELECT expires_at FROM otp_codes WHERE session_id = ?`, sessionID).Scan(&expires); errors.Is(err, sql.ErrNoRows) {
		return flow.OTPState{}, problem.New("otp.not_requested")
	} else if err != nil {
		return flow.OTPState{}, fmt.Errorf("otp: read code: %w", err)
	}
	// Expired by its age, never by the wall clock alone: set back an hour, the clock would keep
	// a code alive an hour longer (issue 18).
	expired := s.past(sessionID, s.cfg.TTL, now, expires-s.cfg.TTL.Milliseconds())
	res, err := s.db.ExecContext(ctx, `UPDATE otp_codes SET attempts_left = attempts_left - 1
		WHERE session_id = ? AND attempts_left > 0 AND used = 0 AND ?`, sessionID, !expired)
	if err != nil {
		return flow.OTPState{}, fmt.Errorf("otp: use a try: %w", err)
	}
	var (
		salt, hash []byte
		resend     int64
		left       int
		used       bool
	)
	row := s.db.QueryRowContext(ctx, `SELECT salt, code_hash, expires_at, resend_at, attempts_left, used FROM otp_codes WHERE session_id = ?`, sessionID)
	if err := row.Scan(&salt, &hash, &expires, &resend, &left, &used); errors.Is(err, sql.ErrNoRows) {
		return flow.OTPState{}, problem.New("otp.not_requested")
	} else if err != nil {
		return flow.OTPState{}, fmt.Errorf("otp: read code: %w", err)
	}
	st := flow.OTPState{ExpiresAt: time.UnixMilli(expires), ResendAt: time.UnixMilli(resend), AttemptsLeft: left}
	if n, _ := res.RowsAffected(); n == 0 {
		switch {
		case used:
			return st, problem.New("otp.already_used")
		case expired:
			return st, problem.New("otp.expired")
		default:
			return st, problem.New("otp.too_many_attempts")
		}
	}
	if len(code) != s.cfg.Digits || !hmac.Equal(s.mac(salt, []byte(sessionID), []byte(code)), hash) {
		if left == 0 {
			return st, problem.New("otp.too_many_attempts")
		}
		return st, problem.New("otp.wrong_code", "left", strconv.Itoa(left))
	}
	res, err = s.db.ExecContext(ctx, `UPDATE otp_codes SET used = 1 WHERE session_id = ? AND used = 0`, sessionID)
	if err != nil {
		return st, fmt.Errorf("otp: mark used: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return st, problem.New("otp.already_used")
	}
	return st, nil
}

// Forget deletes the session's code (the store calls it when it wipes a session).
func (s *Service) Forget(ctx context.Context, sessionID string) error {
	s.forget(sessionID)
	if _, err := s.db.ExecContext(ctx, `DELETE FROM otp_codes WHERE session_id = ?`, sessionID); err != nil {
		return fmt.Errorf("otp: forget session: %w", err)
	}
	return nil
}

// newCode returns n uniformly random decimal digits.
func newCode(n int) (string, error) {
	var b strings.Builder
	for range n {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", fmt.Errorf("otp: random code: %w", err)
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String(), nil
}
