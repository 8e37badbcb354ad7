package outbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/ehraz/ehraz/domain/dossier"
)

// ErrNotSubmitted is an amendment for a session whose dossier was never queued: the override
// is part of the session and goes with the dossier when it is submitted.
var ErrNotSubmitted = errors.New("outbox: the session has no dossier to amend")

// Amend queues an operator's override (step and outcome set) or note (kind dossier.AmendNote)
// on a submitted session's dossier, signed with the transport key, to follow the dossier to the
// back office, where it shows in the review.
func (o *Outbox) Amend(ctx context.Context, sessionID, kind, step, outcome, operator, text string) error {
	var key string
	err := o.db.QueryRowContext(ctx, `SELECT idempotency_key FROM outbox WHERE session_id = ?`, sessionID).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotSubmitted
	}
	if err != nil {
		return fmt.Errorf("outbox: amend: %w", err)
	}
	now := o.cfg.Now()
	a := dossier.Amendment{Version: dossier.Version, DossierKey: key, SessionID: sessionID, KioskID: o.cfg.KioskID, Kind: kind,
		Operator: operator, Step: step, Outcome: outcome, Text: text, At: now.UTC()}
	if err := a.Sign(o.cfg.TransportKey); err != nil {
		return fmt.Errorf("outbox: amend: %w", err)
	}
	plain, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("outbox: amend: %w", err)
	}
	b := make([]byte, 12)
	rand.Read(b)
	akey := "amend-" + hex.EncodeToString(b)
	sealed, err := dossier.Seal(o.cfg.StoreKey, plain, []byte(akey))
	if err != nil {
		return fmt.Errorf("outbox: amend: %w", err)
	}
	if _, err := o.db.ExecContext(ctx, `INSERT INTO outbox_amendments (idempotency_key, session_id, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)`,
		akey, sessionID, sealed, now.UnixMilli(), now.UnixMilli()); err != nil {
		return fmt.Errorf("outbox: amend: %w", err)
	}
	select {
	case o.kick <- struct{}{}:
	default:
	}
	return nil
}

// flushAmendments sends the due amendments whose dossier was delivered; one for a dossier
// still on its way waits.
func (o *Outbox) flushAmendments(ctx context.Context) (int, error) {
	list, err := o.due(ctx, `SELECT a.id, a.idempotency_key, a.payload, a.attempts FROM outbox_amendments a
		JOIN outbox d ON d.session_id = a.session_id
		WHERE a.state = 'pending' AND a.next_attempt_at <= ? AND d.state = 'delivered' ORDER BY a.id`)
	if err != nil {
		return 0, err
	}
	sent := 0
	var firstErr error
	for _, d := range list {
		if err := o.sendAmendment(ctx, d.id, d.key, d.payload, d.attempts); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		sent++
	}
	return sent, firstErr
}

func (o *Outbox) sendAmendment(ctx context.Context, id int64, key string, payload []byte, attempts int) error {
	fail := func(cause error, permanent bool) error {
		state := "pending"
		if permanent {
			state = "refused"
		}
		o.db.ExecContext(ctx, `UPDATE outbox_amendments SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, state = ? WHERE id = ?`,
			o.cfg.Now().Add(o.backoff(attempts+1)).UnixMilli(), cause.Error(), state, id)
		return cause
	}
	body, err := dossier.Open(o.cfg.StoreKey, payload, []byte(key))
	if err != nil {
		return fail(fmt.Errorf("outbox: open stored amendment: %w", err), true)
	}
	cctx, cancel := context.WithTimeout(ctx, o.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(cctx, http.MethodPost, o.cfg.IntakeURL+"/v1/amendments", strings.NewReader(string(body)))
	if err != nil {
		return fail(err, true)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	if o.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+o.cfg.Token)
	}
	resp, err := o.http.Do(req)
	if err != nil {
		return fail(fmt.Errorf("outbox: post amendment: %w", err), false)
	}
	defer resp.Body.Close()
	var ack struct {
		Error string `json:"error"`
	}
	json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&ack)
	switch {
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated:
		_, err := o.db.ExecContext(ctx, `UPDATE outbox_amendments SET state = 'delivered', attempts = attempts + 1, last_error = '', payload = x'' WHERE id = ?`, id)
		return err
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout ||
		resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusNotFound:
		// 404: the dossier has not reached the back office yet (a fleet behind a balancer).
		return fail(fmt.Errorf("outbox: amendment: http %d %s", resp.StatusCode, ack.Error), false)
	default:
		return fail(fmt.Errorf("outbox: amendment refused: http %d %s", resp.StatusCode, ack.Error), true)
	}
}
