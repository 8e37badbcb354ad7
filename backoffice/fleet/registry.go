package fleet

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/problem"
	"github.com/ehraz/ehraz/services/enroll"
)

// Errors an admin's action can meet (locale keys the console shows).
var (
	ErrUnknown    = problem.New("fleet.error.unknown")
	ErrWrongCode  = problem.New("fleet.error.wrong_code")
	ErrState      = problem.New("fleet.error.state")
	ErrTooMany    = problem.New("fleet.error.too_many")
	ErrNotAllowed = problem.New("fleet.error.forbidden")
)

// ErrUnavailable is an identification that failed for want of the database: answered 503.
var ErrUnavailable = errors.New("fleet: registry unavailable")

// MaxCodeAttempts wrong codes end a pending enrollment (the kiosk must enroll again).
const MaxCodeAttempts = 5

// Registry is the fleet's kiosks over the back office's database.
type Registry struct {
	db      *database.DB
	ca      *CA
	dataKey []byte
	now     func() time.Time
}

// NewRegistry returns the registry; dataKey (32 bytes) keys code hashes and seals media keys.
func NewRegistry(db *database.DB, ca *CA, dataKey []byte, now func() time.Time) *Registry {
	if now == nil {
		now = time.Now
	}
	return &Registry{db: db, ca: ca, dataKey: dataKey, now: now}
}

// CA is the registry's certificate authority.
func (r *Registry) CA() *CA { return r.ca }

func (r *Registry) codeHash(kioskID, code string) []byte {
	m := hmac.New(sha256.New, r.dataKey)
	m.Write([]byte("enroll-code:" + kioskID + ":" + code))
	return m.Sum(nil)
}

// Request records an enrollment request (a new kiosk, or a kiosk enrolling again while pending
// or revoked: a revoked kiosk's new request needs a new approval). An active kiosk cannot be
// replaced by a request: it must be revoked first.
func (r *Registry) Request(ctx context.Context, req enroll.Request) error {
	if !enroll.KioskIDPattern.MatchString(req.KioskID) || !enroll.CodePattern.MatchString(req.Code) || len(req.MediaKey) != 32 || len(req.CSR) > 4096 {
		return ErrState
	}
	if _, _, _, err := r.ca.signKiosk(req.CSR, req.KioskID, r.now()); err != nil { // the CSR must be signable
		return problem.Wrap("fleet.error.csr", err)
	}
	mk, err := dossier.Seal(r.dataKey, req.MediaKey, []byte("media-key:"+req.KioskID))
	if err != nil {
		return fmt.Errorf("fleet: seal media key: %w", err)
	}
	now := r.now().UnixMilli()
	res, err := r.db.ExecContext(ctx, `INSERT INTO kiosks (id, state, code_hash, csr, media_key, requested_at) VALUES (?, 'pending', ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET state = 'pending', code_hash = excluded.code_hash, csr = excluded.csr, media_key = excluded.media_key,
			requested_at = excluded.requested_at, attempts = 0
		WHERE kiosks.state <> 'active'`, req.KioskID, r.codeHash(req.KioskID, req.Code), req.CSR, mk, now)
	if err != nil {
		return fmt.Errorf("fleet: record request: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrState
	}
	return nil
}

// Kiosk is one kiosk as the console lists it.
type Kiosk struct {
	ID          string
	State       string
	RequestedAt time.Time
	NotAfter    time.Time
	DecidedBy   string
	KeyPrint    string // SHA-256 of the request's public key, first 16 hex digits
}

// List returns every kiosk, pending first.
func (r *Registry) List(ctx context.Context) ([]Kiosk, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT id, state, requested_at, not_after, decided_by, csr FROM kiosks
		ORDER BY CASE state WHEN 'pending' THEN 0 WHEN 'active' THEN 1 ELSE 2 END, id`)
	if err != nil {
		return nil, fmt.Errorf("fleet: list: %w", err)
	}
	defer rows.Close()
	var out []Kiosk
	for rows.Next() {
		var k Kiosk
		var req, na int64
		var csr string
		if err := rows.Scan(&k.ID, &k.State, &req, &na, &k.DecidedBy, &csr); err != nil {
			return nil, fmt.Errorf("fleet: list: %w", err)
		}
		k.RequestedAt = time.UnixMilli(req)
		if na > 0 {
			k.NotAfter = time.UnixMilli(na)
		}
		k.KeyPrint = keyPrint(csr)
		out = append(out, k)
	}
	return out, rows.Err()
}

func keyPrint(csrPEM string) string {
	s := sha256.Sum256([]byte(csrPEM))
	return fmt.Sprintf("%x", s[:8])
}

// Approve issues the kiosk's certificate when code is the one the kiosk showed. Wrong codes are
// counted; after MaxCodeAttempts the request is revoked.
func (r *Registry) Approve(ctx context.Context, kioskID, code, by string) error {
	var refused error // a wrong code: counted (committed), then reported
	err := r.db.InTx(ctx, func(tx *database.Tx) error {
		var state, csr string
		var hash []byte
		var attempts int
		err := tx.QueryRowContext(ctx, `SELECT state, csr, code_hash, attempts FROM kiosks WHERE id = ?`, kioskID).Scan(&state, &csr, &hash, &attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrUnknown
		}
		if err != nil {
			return fmt.Errorf("fleet: approve: %w", err)
		}
		if state != enroll.Pending {
			return ErrState
		}
		if !hmac.Equal(hash, r.codeHash(kioskID, strings.TrimSpace(code))) {
			attempts++
			next := state
			if attempts >= MaxCodeAttempts {
				next = enroll.Revoked
			}
			if _, err := tx.ExecContext(ctx, `UPDATE kiosks SET attempts = ?, state = ? WHERE id = ?`, attempts, next, kioskID); err != nil {
				return fmt.Errorf("fleet: approve: %w", err)
			}
			refused = ErrWrongCode
			if next == enroll.Revoked {
				refused = ErrTooMany
			}
			return nil
		}
		now := r.now()
		cert, sn, notAfter, err := r.ca.signKiosk(csr, kioskID, now)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE kiosks SET state = 'active', cert = ?, cert_serial = ?, prev_serial = '', not_after = ?, decided_by = ?, decided_at = ? WHERE id = ?`,
			cert, sn, notAfter.UnixMilli(), by, now.UnixMilli(), kioskID)
		if err != nil {
			return fmt.Errorf("fleet: approve: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return refused
}

// Revoke ends a kiosk's access at once: its requests are refused from the next one on.
func (r *Registry) Revoke(ctx context.Context, kioskID, by string) error {
	res, err := r.db.ExecContext(ctx, `UPDATE kiosks SET state = 'revoked', decided_by = ?, decided_at = ? WHERE id = ? AND state <> 'revoked'`,
		by, r.now().UnixMilli(), kioskID)
	if err != nil {
		return fmt.Errorf("fleet: revoke: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrUnknown
	}
	return nil
}

// Status is what a kiosk polling its enrollment learns.
func (r *Registry) Status(ctx context.Context, kioskID string) (enroll.Status, error) {
	var st enroll.Status
	err := r.db.QueryRowContext(ctx, `SELECT state, cert FROM kiosks WHERE id = ?`, kioskID).Scan(&st.State, &st.Cert)
	if errors.Is(err, sql.ErrNoRows) {
		return enroll.Status{State: enroll.Unknown}, nil
	}
	if err != nil {
		return enroll.Status{}, fmt.Errorf("fleet: status: %w", err)
	}
	if st.State != enroll.Active {
		st.Cert = ""
	} else {
		st.CA = r.ca.PEM
	}
	return st, nil
}

// Identify names the kiosk of a request from its verified client certificate, refusing a
// kiosk not active or a certificate not its current one (or the one before a renewal).
func (r *Registry) Identify(req *http.Request) (string, error) {
	if req.TLS == nil || len(req.TLS.VerifiedChains) == 0 || len(req.TLS.VerifiedChains[0]) == 0 {
		return "", errors.New("no client certificate")
	}
	c := req.TLS.VerifiedChains[0][0]
	if !hasClientAuth(c) {
		return "", errors.New("not a client certificate")
	}
	id := c.Subject.CommonName
	var state, cur, prev string
	err := r.db.QueryRowContext(req.Context(), `SELECT state, cert_serial, prev_serial FROM kiosks WHERE id = ?`, id).Scan(&state, &cur, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("kiosk %q unknown", id)
	}
	if err != nil {
		// The database, not the kiosk, failed (a PostgreSQL restart): the kiosk should retry,
		// not be told it is refused.
		return "", fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	sn := c.SerialNumber.Text(16)
	if state != enroll.Active || (sn != cur && sn != prev) {
		return "", fmt.Errorf("kiosk %q %s (certificate %s)", id, state, sn)
	}
	return id, nil
}

func hasClientAuth(c *x509.Certificate) bool {
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth {
			return true
		}
	}
	return false
}

// Renew issues a new certificate to an identified kiosk for a request over the same name; the
// previous certificate stays valid until it expires (requests in flight).
func (r *Registry) Renew(ctx context.Context, kioskID, csr string) (string, error) {
	cert, sn, notAfter, err := r.ca.signKiosk(csr, kioskID, r.now())
	if err != nil {
		return "", err
	}
	res, err := r.db.ExecContext(ctx, `UPDATE kiosks SET prev_serial = cert_serial, cert = ?, cert_serial = ?, not_after = ?, csr = ? WHERE id = ? AND state = 'active'`,
		cert, sn, notAfter.UnixMilli(), csr, kioskID)
	if err != nil {
		return "", fmt.Errorf("fleet: renew: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", ErrState
	}
	return cert, nil
}

// MediaKey is the transport key kioskID delivered at enrollment (nil when unknown).
func (r *Registry) MediaKey(ctx context.Context, kioskID string) []byte {
	var sealed []byte
	if err := r.db.QueryRowContext(ctx, `SELECT media_key FROM kiosks WHERE id = ?`, kioskID).Scan(&sealed); err != nil {
		return nil
	}
	k, err := dossier.Open(r.dataKey, sealed, []byte("media-key:"+kioskID))
	if err != nil {
		return nil
	}
	return k
}

// Handler serves the enrollment endpoints:
//
//	POST /v1/enroll            enroll.Request → 202 (pending); 409 for an active kiosk
//	GET  /v1/enroll/{id}       → enroll.Status (the certificate and CA once approved)
//	POST /v1/renew {csr}       mutual TLS → enroll.Status with the new certificate
func (r *Registry) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/enroll", func(w http.ResponseWriter, req *http.Request) {
		var in enroll.Request
		if err := json.NewDecoder(io.LimitReader(req.Body, 16<<10)).Decode(&in); err != nil {
			reply(w, http.StatusBadRequest, map[string]any{"error": "invalid_json"})
			return
		}
		switch err := r.Request(req.Context(), in); {
		case err == nil:
			reply(w, http.StatusAccepted, map[string]any{"state": enroll.Pending, "caFingerprint": r.ca.Fingerprint()})
		case errors.Is(err, ErrState):
			reply(w, http.StatusConflict, map[string]any{"error": "kiosk_active_or_invalid"})
		default:
			if p, ok := problem.As(err); ok {
				reply(w, http.StatusBadRequest, map[string]any{"error": p.Key})
				return
			}
			reply(w, http.StatusInternalServerError, map[string]any{"error": "database"})
		}
	})
	mux.HandleFunc("GET /v1/enroll/{id}", func(w http.ResponseWriter, req *http.Request) {
		st, err := r.Status(req.Context(), req.PathValue("id"))
		if err != nil {
			reply(w, http.StatusInternalServerError, map[string]any{"error": "database"})
			return
		}
		reply(w, http.StatusOK, st)
	})
	mux.HandleFunc("POST /v1/renew", func(w http.ResponseWriter, req *http.Request) {
		id, err := r.Identify(req)
		if err != nil {
			reply(w, http.StatusUnauthorized, map[string]any{"error": "unauthorized"})
			return
		}
		var in struct {
			CSR string `json:"csr"`
		}
		if err := json.NewDecoder(io.LimitReader(req.Body, 16<<10)).Decode(&in); err != nil {
			reply(w, http.StatusBadRequest, map[string]any{"error": "invalid_json"})
			return
		}
		cert, err := r.Renew(req.Context(), id, in.CSR)
		if err != nil {
			reply(w, http.StatusBadRequest, map[string]any{"error": "renew_refused"})
			return
		}
		reply(w, http.StatusOK, enroll.Status{State: enroll.Active, Cert: cert})
	})
	return mux
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
