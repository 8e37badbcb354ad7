package outbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/services/apicall"
)

// Config says where dossiers go and how hard to try. Zero fields take the defaults in brackets.
type Config struct {
	// IntakeURL is the brokerage's intake base, e.g. "https://intake.example-broker.ir".
	IntakeURL string `toml:"intake_url"`
	// Token authenticates this kiosk at the intake (from a file or the environment).
	Token   string `toml:"-"`
	KioskID string `toml:"-"`
	Mode    string `toml:"-"`
	// StoreKey seals payloads at rest in the outbox table; TransportKey seals media for the
	// intake (shared with it). Both 32 bytes, from files or the environment.
	StoreKey     []byte `toml:"-"`
	TransportKey []byte `toml:"-"`
	// BackoffBase [5s] doubles per failed attempt up to BackoffMax [10m]; Poll [2s] is how often
	// Run looks for due entries; Timeout [30s] bounds one delivery.
	BackoffBase time.Duration `toml:"-"`
	BackoffMax  time.Duration `toml:"-"`
	Poll        time.Duration `toml:"-"`
	Timeout     time.Duration `toml:"-"`
	// Now is the clock [time.Now].
	Now func() time.Time `toml:"-"`
	// HTTP is the client every request goes through: the kiosk's mutual-TLS client once it is
	// enrolled (services/enroll) [a plain client].
	HTTP *http.Client `toml:"-"`
}

// Outbox implements flow.Dossier and eligibility.History.
type Outbox struct {
	db   *sql.DB
	src  Source
	cfg  Config
	http *http.Client
	kick chan struct{}
	// flushing serializes Flush: the delivery loop and an explicit Flush never post the same
	// entry twice at once.
	flushing sync.Mutex
}

var _ flow.Dossier = (*Outbox)(nil)

// New returns the outbox over the tables of migration 0110_outbox.sql.
func New(db *sql.DB, src Source, cfg Config) (*Outbox, error) {
	if db == nil || src == nil {
		return nil, fmt.Errorf("outbox: database and dossier source are required")
	}
	if cfg.IntakeURL == "" {
		return nil, fmt.Errorf("outbox: intake_url is empty")
	}
	u, err := url.Parse(cfg.IntakeURL)
	if err != nil {
		return nil, fmt.Errorf("outbox: intake_url: %w", err)
	}
	if err := TransportAllowed(u); err != nil {
		return nil, err
	}
	if len(cfg.StoreKey) != 32 || len(cfg.TransportKey) != 32 {
		return nil, fmt.Errorf("outbox: store and transport keys must be 32 bytes")
	}
	cfg.IntakeURL = strings.TrimRight(cfg.IntakeURL, "/")
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.BackoffBase, 5*time.Second)
	def(&cfg.BackoffMax, 10*time.Minute)
	def(&cfg.Poll, 2*time.Second)
	def(&cfg.Timeout, 30*time.Second)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := cfg.HTTP
	if hc == nil {
		hc = &http.Client{}
	}
	return &Outbox{db: db, src: src, cfg: cfg, http: hc, kick: make(chan struct{}, 1)}, nil
}

// TransportAllowed refuses a back-office address that would carry dossiers in clear over a
// network: anything but https:// is allowed only to a loopback host (the embedded demo, or a
// TLS proxy on the same machine).
func TransportAllowed(u *url.URL) error {
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if host == "localhost" {
			return nil
		}
		if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() {
			return nil
		}
		return fmt.Errorf("outbox: intake_url %s: plain http:// is refused beyond loopback; use https://", u.Redacted())
	}
	return fmt.Errorf("outbox: intake_url %s: scheme %q (https:// or a loopback http://)", u.Redacted(), u.Scheme)
}

func (o *Outbox) ncHash(nc string) []byte {
	m := hmac.New(sha256.New, o.cfg.StoreKey)
	m.Write([]byte("national-code:" + nc))
	return m.Sum(nil)
}

// IdempotencyKey is the stable key of a session's dossier: the same session always yields the
// same key, so a repeated delivery is recognised by the intake.
func IdempotencyKey(kioskID, sessionID string) string {
	s := sha256.Sum256([]byte("ehraz-dossier\x00" + kioskID + "\x00" + sessionID))
	return hex.EncodeToString(s[:16])
}

// Missing returns those of sessionIDs that have no dossier in the outbox, in the given order.
func (o *Outbox) Missing(ctx context.Context, sessionIDs []string) ([]string, error) {
	var out []string
	for _, id := range sessionIDs {
		var n int
		if err := o.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE session_id = ?`, id).Scan(&n); err != nil {
			return nil, fmt.Errorf("outbox: look up a session: %w", err)
		}
		if n == 0 {
			out = append(out, id)
		}
	}
	return out, nil
}

// Enqueue implements flow.Dossier: it builds the dossier and stores it for delivery. Calling it
// again for the same session changes nothing.
func (o *Outbox) Enqueue(ctx context.Context, sessionID string) error {
	s, err := o.src.FinishedSession(ctx, sessionID)
	if err != nil {
		return fmt.Errorf("outbox: read session: %w", err)
	}
	key := IdempotencyKey(o.cfg.KioskID, sessionID)
	now := o.cfg.Now()
	d := dossier.Dossier{Version: dossier.Version, SessionID: sessionID, KioskID: o.cfg.KioskID, Mode: s.Mode, ClientIP: s.ClientIP,
		Applicant: s.Applicant, Checks: s.Checks, StartedAt: s.StartedAt, AcceptedAt: s.AcceptedAt, SubmittedAt: now,
		Audit: s.Audit}
	if d.Mode == "" {
		d.Mode = o.cfg.Mode
	}
	if d.Checks == nil {
		d.Checks = []dossier.Check{}
	}
	d.Media = make([]dossier.Media, 0, len(s.Media))
	for _, m := range s.Media {
		sum := sha256.Sum256(m.Data)
		sealed, err := dossier.Seal(o.cfg.TransportKey, m.Data, []byte(key+"/"+m.Name))
		if err != nil {
			return fmt.Errorf("outbox: seal media %s: %w", m.Name, err)
		}
		d.Media = append(d.Media, dossier.Media{Name: m.Name, Format: m.Format, SHA256: hex.EncodeToString(sum[:]), Size: len(m.Data), Sealed: sealed,
			AuditHash: m.AuditHash})
	}
	body, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("outbox: encode dossier: %w", err)
	}
	payload, err := dossier.Seal(o.cfg.StoreKey, body, []byte(key))
	if err != nil {
		return fmt.Errorf("outbox: seal dossier: %w", err)
	}
	_, err = o.db.ExecContext(ctx, `INSERT INTO outbox (idempotency_key, session_id, nc_hash, payload, created_at, next_attempt_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		key, sessionID, o.ncHash(string(s.Applicant.Person.NationalCode)), payload, now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return fmt.Errorf("outbox: store dossier: %w", err)
	}
	select {
	case o.kick <- struct{}{}:
	default:
	}
	return nil
}

// Run delivers due dossiers until ctx ends, waking every Poll and right after Enqueue.
func (o *Outbox) Run(ctx context.Context) error {
	t := time.NewTicker(o.cfg.Poll)
	defer t.Stop()
	for {
		// A failed round is retried on the next tick; Flush records each entry's error.
		o.Flush(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-o.kick:
		}
	}
}

// Flush tries every due entry once and reports how many were acknowledged.
func (o *Outbox) Flush(ctx context.Context) (int, error) {
	o.flushing.Lock()
	defer o.flushing.Unlock()
	list, err := o.due(ctx, `SELECT id, idempotency_key, payload, attempts FROM outbox
		WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id`)
	if err != nil {
		return 0, err
	}
	delivered := 0
	var firstErr error
	for _, d := range list {
		err := o.deliver(ctx, d.id, d.key, d.payload, d.attempts)
		if err == nil {
			delivered++
		} else if firstErr == nil {
			firstErr = err
		}
	}
	// Amendments follow their dossiers (counted apart: Flush reports dossiers).
	if _, err := o.flushAmendments(ctx); err != nil && firstErr == nil {
		firstErr = err
	}
	return delivered, firstErr
}

// dueRow is an entry whose next attempt is due (a dossier or an amendment).
type dueRow struct {
	id       int64
	key      string
	payload  []byte
	attempts int
}

// due lists the rows q selects (id, key, payload, attempts; one ? for now in Unix ms).
func (o *Outbox) due(ctx context.Context, q string) ([]dueRow, error) {
	rows, err := o.db.QueryContext(ctx, q, o.cfg.Now().UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("outbox: list due: %w", err)
	}
	defer rows.Close()
	var list []dueRow
	for rows.Next() {
		var d dueRow
		if err := rows.Scan(&d.id, &d.key, &d.payload, &d.attempts); err != nil {
			return nil, fmt.Errorf("outbox: read due: %w", err)
		}
		list = append(list, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox: read due: %w", err)
	}
	return list, nil
}

// refusal is an answer that no retry will change.
type refusal struct {
	status int
	code   string
}

func (r refusal) Error() string {
	return fmt.Sprintf("intake refused the dossier: http %d %s", r.status, r.code)
}

func (o *Outbox) deliver(ctx context.Context, id int64, key string, payload []byte, attempts int) error {
	body, err := dossier.Open(o.cfg.StoreKey, payload, []byte(key))
	if err != nil {
		return o.fail(ctx, id, attempts, fmt.Errorf("outbox: open stored dossier: %w", err), true)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.cfg.IntakeURL+"/v1/dossiers", strings.NewReader(string(body)))
	if err != nil {
		return o.fail(ctx, id, attempts, err, true)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	req.Header.Set("Authorization", "Bearer "+o.cfg.Token)
	cctx, cancel := context.WithTimeout(ctx, o.cfg.Timeout)
	defer cancel()
	resp, err := o.http.Do(req.WithContext(cctx))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return o.fail(ctx, id, attempts, fmt.Errorf("outbox: post dossier: %w", err), false)
	}
	defer resp.Body.Close()
	var ack struct {
		Receipt string `json:"receipt"`
		Error   string `json:"error"`
	}
	json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&ack)
	switch {
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated:
		// The brokerage holds the dossier now: the kiosk keeps only its state and hashes.
		_, err := o.db.ExecContext(ctx, `UPDATE outbox SET state = 'delivered', delivered_at = ?, receipt = ?, attempts = attempts + 1, last_error = '',
			payload = x'' WHERE id = ?`, o.cfg.Now().UnixMilli(), ack.Receipt, id)
		if err != nil {
			return fmt.Errorf("outbox: mark delivered: %w", err)
		}
		return nil
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout ||
		resp.StatusCode == http.StatusUnauthorized:
		// 401 is a configuration fault at either end: keep the dossier and keep trying.
		return o.fail(ctx, id, attempts, fmt.Errorf("outbox: intake answered http %d %s", resp.StatusCode, ack.Error), false)
	default:
		return o.fail(ctx, id, attempts, refusal{resp.StatusCode, ack.Error}, true)
	}
}

// fail records a failed attempt; a permanent one stops retries and waits for an operator.
func (o *Outbox) fail(ctx context.Context, id int64, attempts int, cause error, permanent bool) error {
	next := o.backoff(attempts + 1)
	state := "pending"
	if permanent {
		state = "refused"
	}
	_, err := o.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, state = ? WHERE id = ?`,
		o.cfg.Now().Add(next).UnixMilli(), cause.Error(), state, id)
	if err != nil {
		return fmt.Errorf("%w (and recording it failed: %v)", cause, err)
	}
	return cause
}

// backoff is BackoffBase·2^(n−1), capped at BackoffMax, with ±20% jitter so kiosks that lost
// the intake together do not return together.
func (o *Outbox) backoff(n int) time.Duration {
	d := o.cfg.BackoffBase
	for i := 1; i < n && d < o.cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, o.cfg.BackoffMax)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Entry is a session's place in the outbox.
type Entry struct {
	State       string // pending | delivered | refused
	Attempts    int
	LastError   string
	NextAttempt time.Time
	Receipt     string
}

// Entry returns the outbox entry of a session (ok=false when there is none).
func (o *Outbox) Entry(ctx context.Context, sessionID string) (Entry, bool, error) {
	var e Entry
	var next int64
	err := o.db.QueryRowContext(ctx, `SELECT state, attempts, last_error, next_attempt_at, receipt FROM outbox WHERE session_id = ?`, sessionID).
		Scan(&e.State, &e.Attempts, &e.LastError, &next, &e.Receipt)
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("outbox: read entry: %w", err)
	}
	e.NextAttempt = time.UnixMilli(next)
	return e, true, nil
}

// Status is the session's final status as the applicant sees it: Key is a locale key
// ("intake.status.*") and Args fill it.
type Status struct {
	Key        string
	Args       []string
	BourseCode string
}

// Status asks the intake about a delivered dossier (and reports queued / refused ones from the
// local table).
func (o *Outbox) Status(ctx context.Context, sessionID string) (Status, error) {
	e, ok, err := o.Entry(ctx, sessionID)
	if err != nil {
		return Status{}, err
	}
	switch {
	case !ok:
		return Status{}, fmt.Errorf("outbox: no dossier for this session")
	case e.State == "refused":
		return Status{Key: "intake.status.refused"}, nil
	case e.State != "delivered":
		return Status{Key: "intake.status.queued"}, nil
	}
	resp, err := apicall.Do(ctx, o.http, apicall.Policy{Timeout: 10 * time.Second, Retries: 1}, apicall.Request{Method: http.MethodGet,
		URL: o.cfg.IntakeURL + "/v1/dossiers/" + IdempotencyKey(o.cfg.KioskID, sessionID) + "/status", Header: http.Header{"Authorization": {"Bearer " + o.cfg.Token}}})
	if err != nil {
		return Status{Key: "intake.status.delivered"}, nil // delivered is known; the code can be asked later
	}
	var out struct {
		Status     string `json:"status"`
		BourseCode string `json:"bourseCode"`
	}
	if resp.Status != http.StatusOK || resp.Decode(&out) != nil {
		return Status{Key: "intake.status.delivered"}, nil
	}
	if out.Status == "bourse_code_issued" && out.BourseCode != "" {
		return Status{Key: "intake.status.bourse_code_issued", Args: []string{"code", out.BourseCode}, BourseCode: out.BourseCode}, nil
	}
	return Status{Key: "intake.status.delivered"}, nil
}

// Verified implements eligibility.History: a national code that has a dossier in this outbox
// (not refused) or at the intake has used its one remote verification. When the intake cannot
// be reached the local answer stands, and the intake refuses a second dossier on arrival.
func (o *Outbox) Verified(ctx context.Context, nationalCode string) (bool, error) {
	var n int
	if err := o.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE nc_hash = ? AND state != 'refused'`, o.ncHash(nationalCode)).Scan(&n); err != nil {
		return false, fmt.Errorf("outbox: history: %w", err)
	}
	if n > 0 {
		return true, nil
	}
	resp, err := apicall.Do(ctx, o.http, apicall.Policy{Timeout: 5 * time.Second, Retries: -1}, apicall.Request{Method: http.MethodPost,
		URL: o.cfg.IntakeURL + "/v1/verified", Header: http.Header{"Authorization": {"Bearer " + o.cfg.Token}},
		Body: map[string]string{"nationalCode": nationalCode}})
	if err != nil || resp.Status != http.StatusOK {
		return false, nil
	}
	var out struct {
		Verified bool `json:"verified"`
	}
	if resp.Decode(&out) != nil {
		return false, nil
	}
	return out.Verified, nil
}

// Health is the outbox's state for the operator's health panel.
type Health struct {
	Pending       int
	Refused       int
	OldestPending time.Time // zero when nothing waits
	LastError     string    // of the oldest pending entry
}

// Health summarises what waits and what was refused.
func (o *Outbox) Health(ctx context.Context) (Health, error) {
	var h Health
	if err := o.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'refused') FROM outbox`).
		Scan(&h.Pending, &h.Refused); err != nil {
		return h, fmt.Errorf("outbox: health: %w", err)
	}
	var created int64
	err := o.db.QueryRowContext(ctx, `SELECT created_at, last_error FROM outbox WHERE state = 'pending' ORDER BY id LIMIT 1`).Scan(&created, &h.LastError)
	if err == nil {
		h.OldestPending = time.UnixMilli(created)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("outbox: health: %w", err)
	}
	return h, nil
}

// QueueRow is one dossier or amendment still in the outbox (not delivered), for operator mode.
type QueueRow struct {
	SessionID   string
	Kind        string // "dossier" or "amendment"
	State       string // pending | refused
	Attempts    int
	NextAttempt time.Time
	LastError   string
	Created     time.Time
}

// Queue lists what has not been delivered yet, oldest first, at most limit rows (dossiers, then
// amendments).
func (o *Outbox) Queue(ctx context.Context, limit int) ([]QueueRow, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := o.db.QueryContext(ctx, `SELECT session_id, 'dossier', state, attempts, next_attempt_at, last_error, created_at
		FROM outbox WHERE state != 'delivered'
		UNION ALL SELECT session_id, 'amendment', state, attempts, next_attempt_at, last_error, created_at
		FROM outbox_amendments WHERE state != 'delivered'
		ORDER BY 7 LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: queue: %w", err)
	}
	defer rows.Close()
	var out []QueueRow
	for rows.Next() {
		var q QueueRow
		var next, created int64
		if err := rows.Scan(&q.SessionID, &q.Kind, &q.State, &q.Attempts, &next, &q.LastError, &created); err != nil {
			return nil, fmt.Errorf("outbox: queue: %w", err)
		}
		q.NextAttempt, q.Created = time.UnixMilli(next), time.UnixMilli(created)
		out = append(out, q)
	}
	return out, rows.Err()
}

// RetryNow makes every pending dossier and amendment due at once (the operator fixed the
// network, or does not want to wait out the backoff) and tries them: how many dossiers were
// acknowledged, and the first delivery error. Refused entries stay refused: the back office
// said no, and sending the same again would not change that.
func (o *Outbox) RetryNow(ctx context.Context) (int, error) {
	now := o.cfg.Now().UnixMilli()
	for _, table := range []string{"outbox", "outbox_amendments"} {
		if _, err := o.db.ExecContext(ctx, `UPDATE `+table+` SET next_attempt_at = ? WHERE state = 'pending' AND next_attempt_at > ?`, now, now); err != nil {
			return 0, fmt.Errorf("outbox: retry now: %w", err)
		}
	}
	return o.Flush(ctx)
}
