// Package intake is the back office's intake server (started by backoffice/office, for
// bin/ehraz-backoffice, `ehrazctl intake serve` and the kiosk's embedded demo): it receives
// dossiers (domain/dossier) from kiosks' outboxes (idempotent on the Idempotency-Key header), stores
// them sealed in its own SQLite database, enforces the IP rule for online submissions and
// for kiosks outside the allow-listed networks, refuses a second dossier for a national code,
// and records the bourse code CSDI issues later — which sends the applicant an SMS and becomes
// the session's final status.
//
// API (JSON; bearer tokens):
//
//	POST /v1/dossiers                  kiosk token; Idempotency-Key header → 201 {receipt} / 200 duplicate;
//	                                   413 over MaxBody, 503 + Retry-After over MaxUploads at once,
//	                                   408 when the body stops coming (the outbox retries 503 and 408)
//	GET  /v1/dossiers/{key}/status     kiosk token → {status, bourseCode}
//	POST /v1/verified {nationalCode}   kiosk token → {verified}
//	POST /v1/applicant-status {nationalCode, mobile}   kiosk token, after the kiosk verified the
//	                                   mobile by SMS → {found, status, receivedAt, bourseCode};
//	                                   a dossier under another mobile answers {found: false}
//	POST /v1/amendments                kiosk token; Idempotency-Key header; a signed dossier.Amendment
//	                                   → 201 / 200 duplicate; 404 unknown dossier; 422 signature
//	POST /v1/admin/bourse-code {idempotencyKey|sessionId, code}   admin token → {status, smsSent};
//	                                   409 review.error.transition unless the dossier is approved
//
// Every dossier received is assessed at once (backoffice/review): approved by rule when every
// check passed, otherwise queued for a reviewer in the console.
package intake

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/backoffice/netaddr"
	"github.com/ehraz/ehraz/backoffice/review"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/eligibility"
	"github.com/ehraz/ehraz/domain/problem"
	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/services/sms"
)

// Config configures the server.
type Config struct {
	// Token authenticates kiosks; AdminToken the back office. Both required.
	Token      string
	AdminToken string
	// DataKey (32 bytes) seals stored dossiers and keys the national-code hashes.
	DataKey []byte
	// MediaKey (32 bytes) is the kiosks' transport key: it verifies their amendments' signatures
	// (and opens their media in the console). Empty: amendments are refused as unverifiable.
	MediaKey []byte
	// FourEyes makes a supervisor confirm rejections and approvals against a failed check.
	FourEyes bool
	// Identify names the kiosk of a request from its verified client certificate (the fleet
	// registry), or fails for a kiosk unknown, revoked or not presenting its current
	// certificate. nil: only the bearer token authenticates kiosks.
	Identify func(*http.Request) (string, error)
	// MediaKeyFor is the transport key a kiosk delivered at enrollment (nil: MediaKey).
	MediaKeyFor func(ctx context.Context, kioskID string) []byte
	// RequireMTLS refuses the bearer token: every kiosk request must be mutual TLS.
	RequireMTLS bool
	// LookupsPerMinute bounds each kiosk's status and "already verified" look-ups [60].
	LookupsPerMinute int
	// IPRule is applied to an online dossier's client address and to the address of a kiosk
	// submitting from outside its Allow networks.
	IPRule eligibility.IPRule
	// TrustedProxies are the TLS proxies in front of the server whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// SMS sends the bourse-code notice.
	SMS sms.Sender
	// BourseTemplate is the gateway template of that notice ["ehraz-bourse-code"].
	BourseTemplate sms.Template
	// MaxBody bounds a dossier's size [MaxDossierBytes]; a larger one gets 413 and is not
	// stored.
	MaxBody int64
	// MaxUploads bounds the dossiers read at the same time [DefaultMaxUploads]; a kiosk over the
	// bound gets 503 with Retry-After and its outbox tries again later.
	MaxUploads int
	Now        func() time.Time
}

// MaxDossierBytes is the default bound of one dossier's body: the largest dossier a kiosk can
// legitimately send, with room to spare. Its media are the video and four stills (selfie,
// registry.photo, signature, signature.clean). The video is the liveness request's frames, which
// cannot exceed sdk.MaxMessageBytes (64 MiB) or the kiosk never gets it checked; a still is one
// camera frame or the registry's photo, under 8 MiB each even from a 4K camera (the kiosk's
// 640×480 frames are about 80 KB). Sealing adds 28 bytes a file, JSON carries the sealed bytes
// as base64 (×4/3), and the rest of the dossier (applicant, checks with their rules) is a few
// kilobytes: 4/3 × (64 + 4×8) MiB + 1 MiB = 129 MiB. A default kiosk's dossier (a 5 s video at
// 8 frames/s, 640×480) is about 4 MB.
const MaxDossierBytes = (sdk.MaxMessageBytes+maxStills*maxStillBytes)/3*4 + 1<<20

const (
	maxStills     = 4
	maxStillBytes = 8 << 20
)

// DefaultMaxUploads is the default bound of dossiers read at the same time. Reading one holds
// its body, its decoded media and its sealed copy, about 3 × MaxDossierBytes at worst, so 4
// bound the intake's memory for uploads to about 1.5 GiB; an ordinary 4 MB dossier takes
// seconds, so 4 slots serve many kiosks, and one refused retries after Retry-After.
const DefaultMaxUploads = 4

// Server is the intake's HTTP handler.
type Server struct {
	cfg     Config
	db      *database.DB
	review  *review.Service
	lookups *window
	mux     *http.ServeMux
	uploads chan struct{} // one token per dossier being read
}

// OpenDB opens (creating if needed) the intake database at path.
func OpenDB(path string) (*database.DB, error) {
	return database.Open(context.Background(), database.SQLite, path)
}

// New builds the server over db (from OpenDB).
func New(cfg Config, db *database.DB) (*Server, error) {
	if cfg.Token == "" || cfg.AdminToken == "" {
		return nil, fmt.Errorf("intake: kiosk and admin tokens are required")
	}
	if len(cfg.DataKey) != 32 {
		return nil, fmt.Errorf("intake: data key must be 32 bytes")
	}
	if cfg.SMS == nil {
		return nil, fmt.Errorf("intake: an SMS sender is required")
	}
	if cfg.BourseTemplate == "" {
		cfg.BourseTemplate = "ehraz-bourse-code"
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = MaxDossierBytes
	}
	if cfg.MaxUploads <= 0 {
		cfg.MaxUploads = DefaultMaxUploads
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	rv, err := review.New(db, review.Config{DataKey: cfg.DataKey, SMS: cfg.SMS, Template: cfg.BourseTemplate, FourEyes: cfg.FourEyes, Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	if cfg.LookupsPerMinute <= 0 {
		cfg.LookupsPerMinute = 60
	}
	s := &Server{cfg: cfg, db: db, review: rv, mux: http.NewServeMux(), uploads: make(chan struct{}, cfg.MaxUploads),
		lookups: &window{max: cfg.LookupsPerMinute, span: time.Minute, counts: map[string]int{}}}
	s.mux.HandleFunc("POST /v1/dossiers", s.kiosk(s.receive))
	s.mux.HandleFunc("GET /v1/dossiers/{key}/status", s.kiosk(s.status))
	s.mux.HandleFunc("POST /v1/verified", s.kiosk(s.limited(s.verified)))
	s.mux.HandleFunc("POST /v1/amendments", s.kiosk(s.amend))
	s.mux.HandleFunc("POST /v1/applicant-status", s.kiosk(s.limited(s.track)))
	s.mux.HandleFunc("POST /v1/admin/bourse-code", s.auth(cfg.AdminToken, s.bourseCode))
	s.mux.HandleFunc("GET /v1/admin/dossiers", s.auth(cfg.AdminToken, s.list))
	s.mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) auth(token string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			reply(w, http.StatusUnauthorized, map[string]any{"error": "unauthorized"})
			return
		}
		next(w, r)
	}
}

// ErrIdentifyUnavailable, wrapped by an Identify error, means the kiosk could not be checked
// (the database is down): answered 503 with Retry-After, not 401.
var ErrIdentifyUnavailable = errors.New("intake: identification unavailable")

type kioskKey struct{}

// kiosk authenticates a kiosk's request: by its client certificate when it presents one (the
// kiosk id then comes from the certificate), else by the bearer token unless RequireMTLS.
func (s *Server) kiosk(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := ""
		switch {
		case r.TLS != nil && len(r.TLS.PeerCertificates) > 0 && s.cfg.Identify != nil:
			var err error
			if id, err = s.cfg.Identify(r); errors.Is(err, ErrIdentifyUnavailable) {
				w.Header().Set("Retry-After", "5")
				reply(w, http.StatusServiceUnavailable, map[string]any{"error": "unavailable"})
				return
			} else if err != nil {
				reply(w, http.StatusUnauthorized, map[string]any{"error": "kiosk_refused"})
				return
			}
		case s.cfg.RequireMTLS:
			reply(w, http.StatusUnauthorized, map[string]any{"error": "client_certificate_required"})
			return
		default:
			got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.Token)) != 1 {
				reply(w, http.StatusUnauthorized, map[string]any{"error": "unauthorized"})
				return
			}
		}
		next(w, r.WithContext(context.WithValue(r.Context(), kioskKey{}, id)))
	}
}

// kioskOf is the certified kiosk id of an authenticated request ("" under the bearer token).
func kioskOf(r *http.Request) string {
	id, _ := r.Context().Value(kioskKey{}).(string)
	return id
}

// limited bounds a kiosk's look-ups (status, "already verified") per minute: 429 beyond.
func (s *Server) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := kioskOf(r)
		if key == "" {
			key = "token"
		}
		if !s.lookups.allow(key, s.cfg.Now()) {
			w.Header().Set("Retry-After", "60")
			reply(w, http.StatusTooManyRequests, map[string]any{"error": "too_many_lookups"})
			return
		}
		next(w, r)
	}
}

// window counts events per key in fixed windows of span.
type window struct {
	mu     sync.Mutex
	max    int
	span   time.Duration
	start  time.Time
	counts map[string]int
}

func (w *window) allow(key string, now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if now.Sub(w.start) >= w.span {
		w.start, w.counts = now, map[string]int{}
	}
	if w.counts[key] >= w.max {
		return false
	}
	w.counts[key]++
	return true
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) ncHash(nc string) []byte {
	m := hmac.New(sha256.New, s.cfg.DataKey)
	m.Write([]byte("national-code:" + nc))
	return m.Sum(nil)
}

// retryAfter is the Retry-After (seconds) of an upload refused for want of a slot.
const retryAfter = "30"

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,128}$`)

func (s *Server) receive(w http.ResponseWriter, r *http.Request) {
	select {
	case s.uploads <- struct{}{}:
		defer func() { <-s.uploads }()
	default:
		// Refused without reading the body: closing the connection keeps the server from
		// draining what the kiosk is still sending.
		w.Header().Set("Retry-After", retryAfter)
		w.Header().Set("Connection", "close")
		reply(w, http.StatusServiceUnavailable, map[string]any{"error": "busy"})
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if !keyPattern.MatchString(key) {
		reply(w, http.StatusBadRequest, map[string]any{"error": "idempotency_key_missing"})
		return
	}
	// A repeated delivery (the kiosk never saw our answer) gets the first answer again.
	var id int64
	err := s.db.QueryRowContext(r.Context(), `SELECT id FROM dossiers WHERE idempotency_key = ?`, key).Scan(&id)
	if err == nil {
		reply(w, http.StatusOK, map[string]any{"receipt": strconv.FormatInt(id, 10), "duplicate": true})
		return
	} else if !errors.Is(err, sql.ErrNoRows) {
		reply(w, http.StatusInternalServerError, map[string]any{"error": "database"})
		return
	}
	if r.ContentLength > s.cfg.MaxBody { // refused before reading a byte of it
		w.Header().Set("Connection", "close")
		reply(w, http.StatusRequestEntityTooLarge, map[string]any{"error": "too_large"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		reply(w, http.StatusRequestEntityTooLarge, map[string]any{"error": "too_large"})
		return
	} else if err != nil {
		// The kiosk stopped sending or the read timed out (a slow uplink): 408, which its outbox
		// retries, never a refusal of the dossier.
		w.Header().Set("Connection", "close")
		reply(w, http.StatusRequestTimeout, map[string]any{"error": "body_incomplete"})
		return
	}
	var d dossier.Dossier
	if err := json.Unmarshal(body, &d); err != nil {
		reply(w, http.StatusBadRequest, map[string]any{"error": "invalid_json"})
		return
	}
	if d.Version != dossier.Version || d.SessionID == "" || d.Applicant.Person.NationalCode == "" {
		reply(w, http.StatusBadRequest, map[string]any{"error": "invalid_dossier"})
		return
	}
	if id := kioskOf(r); id != "" && d.KioskID != id {
		// The certificate names the kiosk; a body naming another is refused, never believed.
		reply(w, http.StatusForbidden, map[string]any{"error": "kiosk_mismatch"})
		return
	}
	submitter := netaddr.ClientIP(r, s.cfg.TrustedProxies)
	switch d.Mode {
	case dossier.ModeOnline:
		// An online dossier comes from the applicant's own device: the rule judges the address it
		// was sent from (through the trusted proxies), never an address the body claims. When the
		// only address known is one of our own proxies (a proxy that sent no X-Forwarded-For, or
		// an untrusted local proxy), nothing is known about the applicant: refused.
		if netaddr.Trusted(submitter, s.cfg.TrustedProxies) {
			reply(w, http.StatusForbidden, map[string]any{"error": "ip_unknown"})
			return
		}
		if err := s.cfg.IPRule.Check(submitter); err != nil {
			reply(w, http.StatusForbidden, map[string]any{"error": "ip_outside_iran"})
			return
		}
	case dossier.ModeKiosk:
		if err := s.cfg.IPRule.Check(submitter); err != nil {
			reply(w, http.StatusForbidden, map[string]any{"error": "ip_outside_iran"})
			return
		}
	default:
		reply(w, http.StatusBadRequest, map[string]any{"error": "invalid_mode"})
		return
	}
	nc := s.ncHash(string(d.Applicant.Person.NationalCode))
	sealed, err := dossier.Seal(s.cfg.DataKey, body, []byte(key))
	if err != nil {
		reply(w, http.StatusInternalServerError, map[string]any{"error": "seal"})
		return
	}
	sum := sha256.Sum256(body)
	findings := review.Assess(d)
	var seq int64
	if d.Audit != nil && d.Audit.Seq > 0 {
		seq = d.Audit.Seq
		// The kiosk's audit chain only grows: a dossier whose head is not past the kiosk's
		// earlier ones (a replayed or restored kiosk database, or a delivery out of order) goes to
		// a reviewer with the finding.
		var prev int64
		if err := s.db.QueryRowContext(r.Context(), `SELECT COALESCE(MAX(audit_seq), 0) FROM dossiers WHERE kiosk_id = ? AND idempotency_key <> ?`,
			d.KioskID, key).Scan(&prev); err == nil && prev > 0 && seq <= prev {
			findings = append(findings, review.Finding{Key: "review.finding.audit_behind"})
		}
	}
	now := s.cfg.Now()
	var dup bool
	err = s.db.InTx(r.Context(), func(tx *database.Tx) error {
		// One statement, so the "one remote verification per national code" rule and the insert
		// are atomic: two kiosks racing with the same person cannot both be accepted (the partial
		// unique index on the national code of every dossier not rejected holds it in the
		// engine), and a parallel retry of the same delivery (same key) is a duplicate, not a
		// second verification. Either conflict inserts nothing and returns no row.
		err := tx.QueryRowContext(r.Context(), `INSERT INTO dossiers (idempotency_key, session_id, kiosk_id, mode, submitter_ip, nc_hash, payload, payload_sha256, received_at, status, findings, audit_seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING RETURNING id`,
			key, d.SessionID, d.KioskID, d.Mode, submitter.String(), nc, sealed, hex.EncodeToString(sum[:]), now.UnixMilli(),
			string(review.Initial(findings)), review.EncodeFindings(findings), seq).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			dup = true
			return nil
		}
		if err != nil {
			return err
		}
		return review.RecordReceipt(r.Context(), tx, id, d.KioskID, findings, now)
	})
	if err != nil {
		reply(w, http.StatusInternalServerError, map[string]any{"error": "database"})
		return
	}
	if dup {
		err := s.db.QueryRowContext(r.Context(), `SELECT id FROM dossiers WHERE idempotency_key = ?`, key).Scan(&id)
		switch {
		case err == nil: // a parallel delivery of the same key won
			reply(w, http.StatusOK, map[string]any{"receipt": strconv.FormatInt(id, 10), "duplicate": true})
		case errors.Is(err, sql.ErrNoRows):
			reply(w, http.StatusConflict, map[string]any{"error": "already_verified"})
		default:
			reply(w, http.StatusInternalServerError, map[string]any{"error": "database"})
		}
		return
	}
	reply(w, http.StatusCreated, map[string]any{"receipt": strconv.FormatInt(id, 10), "status": string(review.Initial(findings))})
}

// lookupFailed answers a failed dossier lookup (404 for none, 500 for a database error) and
// reports whether it did.
func lookupFailed(w http.ResponseWriter, err error) bool {
	switch {
	case errors.Is(err, sql.ErrNoRows):
		reply(w, http.StatusNotFound, map[string]any{"error": "not_found"})
	case err != nil:
		reply(w, http.StatusInternalServerError, map[string]any{"error": "database"})
	default:
		return false
	}
	return true
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	var st, code string
	// A certified kiosk sees only its own dossiers.
	id := kioskOf(r)
	err := s.db.QueryRowContext(r.Context(), `SELECT status, bourse_code FROM dossiers WHERE idempotency_key = ? AND (? = '' OR kiosk_id = ?)`,
		r.PathValue("key"), id, id).Scan(&st, &code)
	if lookupFailed(w, err) {
		return
	}
	reply(w, http.StatusOK, map[string]any{"status": st, "bourseCode": code})
}

func (s *Server) verified(w http.ResponseWriter, r *http.Request) {
	var in struct {
		NationalCode string `json:"nationalCode"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&in); err != nil || in.NationalCode == "" {
		reply(w, http.StatusBadRequest, map[string]any{"error": "invalid_json"})
		return
	}
	var n int
	if err := s.db.QueryRowContext(r.Context(), `SELECT count(*) FROM dossiers WHERE nc_hash = ? AND status <> 'rejected'`, s.ncHash(in.NationalCode)).Scan(&n); err != nil {
		reply(w, http.StatusInternalServerError, map[string]any{"error": "database"})
		return
	}
	reply(w, http.StatusOK, map[string]any{"verified": n > 0})
}

// BourseCodePattern is the bourse code's format (review.BourseCodePattern).
var BourseCodePattern = review.BourseCodePattern

// NormalizeBourseCode is review.NormalizeBourseCode.
func NormalizeBourseCode(s string) string { return review.NormalizeBourseCode(s) }

// Review is the lifecycle the intake feeds (for the console and in-process callers).
func (s *Server) Review() *review.Service { return s.review }

func (s *Server) bourseCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		IdempotencyKey string `json:"idempotencyKey"`
		SessionID      string `json:"sessionId"`
		Code           string `json:"code"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&in); err != nil {
		reply(w, http.StatusBadRequest, map[string]any{"error": "invalid_json"})
		return
	}
	if !BourseCodePattern.MatchString(NormalizeBourseCode(in.Code)) {
		reply(w, http.StatusBadRequest, map[string]any{"error": review.ErrBourseCode.Key})
		return
	}
	id, err := s.review.IDByKey(r.Context(), in.IdempotencyKey, in.SessionID)
	if err == nil {
		var res review.BourseResult
		if res, err = s.review.IssueBourseCode(r.Context(), id, in.Code, review.Actor{Name: "admin-api"}); err == nil {
			out := map[string]any{"status": string(review.BourseCodeIssued), "smsSent": res.SMSSent}
			if res.SMSErr != nil {
				out["smsError"] = "sms_failed"
			}
			reply(w, http.StatusOK, out)
			return
		}
	}
	reviewError(w, err)
}

// reviewError answers a lifecycle error with its key: 404 unknown, 409 a conflict with the
// dossier's state, 400 bad input, 500 anything else.
func reviewError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, review.ErrNotFound):
		reply(w, http.StatusNotFound, map[string]any{"error": "not_found"})
	case errors.Is(err, review.ErrBourseTaken):
		reply(w, http.StatusConflict, map[string]any{"error": "bourse_code_already_recorded"})
	case errors.Is(err, review.ErrBourseUsed):
		reply(w, http.StatusConflict, map[string]any{"error": review.ErrBourseUsed.Key})
	case errors.Is(err, review.ErrTransition), errors.Is(err, review.ErrStale):
		p, _ := problem.As(err)
		reply(w, http.StatusConflict, map[string]any{"error": p.Key})
	case errors.Is(err, review.ErrBourseCode):
		reply(w, http.StatusBadRequest, map[string]any{"error": review.ErrBourseCode.Key})
	default:
		reply(w, http.StatusInternalServerError, map[string]any{"error": "database"})
	}
}

func (s *Server) track(w http.ResponseWriter, r *http.Request) {
	var in struct {
		NationalCode string `json:"nationalCode"`
		Mobile       string `json:"mobile"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&in); err != nil || in.NationalCode == "" || in.Mobile == "" {
		reply(w, http.StatusBadRequest, map[string]any{"error": "invalid_json"})
		return
	}
	t, err := s.review.Track(r.Context(), s.ncHash(in.NationalCode), in.Mobile)
	if err != nil {
		reply(w, http.StatusInternalServerError, map[string]any{"error": "database"})
		return
	}
	out := map[string]any{"found": t.Found}
	if t.Found {
		out["status"], out["receivedAt"] = string(t.Status), t.ReceivedAt.UTC()
		if t.BourseCode != "" {
			out["bourseCode"] = t.BourseCode
		}
	}
	reply(w, http.StatusOK, out)
}

func (s *Server) amend(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if !keyPattern.MatchString(key) {
		reply(w, http.StatusBadRequest, map[string]any{"error": "idempotency_key_missing"})
		return
	}
	var a dossier.Amendment
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&a); err != nil {
		reply(w, http.StatusBadRequest, map[string]any{"error": "invalid_json"})
		return
	}
	if id := kioskOf(r); id != "" && a.KioskID != id {
		reply(w, http.StatusForbidden, map[string]any{"error": "kiosk_mismatch"})
		return
	}
	mkey := s.cfg.MediaKey
	if s.cfg.MediaKeyFor != nil {
		if k := s.cfg.MediaKeyFor(r.Context(), a.KioskID); k != nil {
			mkey = k
		}
	}
	if err := a.Verify(mkey); err != nil {
		reply(w, http.StatusUnprocessableEntity, map[string]any{"error": "amendment_unverified"})
		return
	}
	dup, err := s.review.AddAmendment(r.Context(), key, a)
	switch {
	case err == nil && dup:
		reply(w, http.StatusOK, map[string]any{"duplicate": true})
	case err == nil:
		reply(w, http.StatusCreated, map[string]any{"status": "amended"})
	default:
		reviewError(w, err)
	}
}

// Dossier returns a stored dossier by idempotency key (for the back office and tests).
func (s *Server) Dossier(ctx context.Context, key string) (dossier.Dossier, error) {
	var payload []byte
	if err := s.db.QueryRowContext(ctx, `SELECT payload FROM dossiers WHERE idempotency_key = ?`, key).Scan(&payload); err != nil {
		return dossier.Dossier{}, fmt.Errorf("intake: read dossier: %w", err)
	}
	body, err := dossier.Open(s.cfg.DataKey, payload, []byte(key))
	if err != nil {
		return dossier.Dossier{}, fmt.Errorf("intake: %w", err)
	}
	var d dossier.Dossier
	if err := json.Unmarshal(body, &d); err != nil {
		return dossier.Dossier{}, fmt.Errorf("intake: decode dossier: %w", err)
	}
	return d, nil
}

// Count returns how many dossiers are stored.
func (s *Server) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM dossiers`).Scan(&n)
	return n, err
}

// Entry is one stored dossier as the back-office list shows it (no personal data).
type Entry struct {
	SessionID  string    `json:"sessionId"`
	KioskID    string    `json:"kioskId"`
	Mode       string    `json:"mode"`
	ReceivedAt time.Time `json:"receivedAt"`
	Status     string    `json:"status"`
	BourseCode string    `json:"bourseCode,omitempty"`
	SMSSent    bool      `json:"smsSent"`
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	rows, err := s.db.QueryContext(r.Context(), `SELECT session_id, kiosk_id, mode, received_at, status, bourse_code, sms_sent_at IS NOT NULL
		FROM dossiers ORDER BY id DESC LIMIT 500`)
	if err != nil {
		reply(w, http.StatusInternalServerError, map[string]any{"error": "database"})
		return
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.SessionID, &e.KioskID, &e.Mode, &at, &e.Status, &e.BourseCode, &e.SMSSent); err != nil {
			reply(w, http.StatusInternalServerError, map[string]any{"error": "database"})
			return
		}
		e.ReceivedAt = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	reply(w, http.StatusOK, map[string]any{"dossiers": out})
}
