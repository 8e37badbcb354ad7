package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/ehraz/ehraz/backoffice/fleet"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/services/enroll"
)

// kiosk is one simulated kiosk: its own key and certificate, and the HTTP client presenting it.
type kiosk struct {
	ID     string
	client *http.Client
}

// enrollAll enrolls n kiosks the way a real one does — its own P-256 key and certificate
// request, POST /v1/enroll to the back office whose CA fingerprint it pins, then the certificate
// fetched once approved — with the approval given through the registry (what an admin's click in
// the console does), at most `parallel` at a time.
func enrollAll(ctx context.Context, o *office, reg *fleet.Registry, dir string, n, parallel int) ([]*kiosk, error) {
	kiosks := make([]*kiosk, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			k, err := enrollOne(ctx, o, reg, filepath.Join(dir, "kiosk-"+strconv.Itoa(i)), fmt.Sprintf("bench-kiosk-%03d", i))
			if err != nil {
				errs <- err
				return
			}
			kiosks[i] = k
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return kiosks, nil
}

func enrollOne(ctx context.Context, o *office, reg *fleet.Registry, dir, id string) (*kiosk, error) {
	files := enroll.FilesIn(dir)
	mediaKey := make([]byte, 32)
	crand.Read(mediaKey)
	key, req, err := enroll.Prepare(files.Key, id, mediaKey)
	if err != nil {
		return nil, err
	}
	if err := enroll.Submit(ctx, o.URL, o.CAPrint, req); err != nil {
		return nil, fmt.Errorf("kiosk %s: %w", id, err)
	}
	if err := reg.Approve(ctx, id, req.Code, "fleetbench"); err != nil {
		return nil, fmt.Errorf("kiosk %s: approve: %w", id, err)
	}
	st, err := enroll.Fetch(ctx, o.URL, o.CAPrint, id)
	if err != nil {
		return nil, fmt.Errorf("kiosk %s: %w", id, err)
	}
	if st.State != enroll.Active {
		return nil, fmt.Errorf("kiosk %s: %s after approval", id, st.State)
	}
	if err := enroll.Save(files, st, key, id); err != nil {
		return nil, err
	}
	ident, err := enroll.Open(files, nil)
	if err != nil {
		return nil, err
	}
	hc, err := ident.Client()
	if err != nil {
		return nil, err
	}
	return &kiosk{ID: id, client: hc}, nil
}

// delivery is what a kiosk learned delivering one dossier.
type delivery struct {
	Key      string
	Kiosk    string
	Status   int   // the answer that ended it: 201, or 200 (a duplicate: our earlier try was stored)
	Receipt  int64 // the receipt the back office gave
	Latency  time.Duration
	Attempts int
	// Failed attempts by cause: no answer (connection refused or cut, timeout), 401, 5xx.
	NoAnswer, Unauthorized, ServerErr int
	Err                               error // set when the kiosk gave up (the run's time ran out) or was refused for good
}

// Retry policy of the simulated kiosks: exponential backoff with full jitter.
const (
	attemptTimeout = 15 * time.Second
	backoffFirst   = 50 * time.Millisecond
	backoffMax     = time.Second
)

// deliver sends the kiosk's m dossiers one after another (as an outbox does), each retried with
// backoff until the back office acknowledges it or ctx ends; done is told after each.
func (k *kiosk) deliver(ctx context.Context, url string, m, kioskNo int, done func(delivery)) {
	for j := range m {
		done(k.deliverOne(ctx, url, kioskNo, j))
	}
}

func (k *kiosk) deliverOne(ctx context.Context, url string, kioskNo, j int) delivery {
	sess := fmt.Sprintf("%s-s%04d", k.ID, j)
	d := delivery{Key: "fleetbench-" + sess, Kiosk: k.ID}
	now := time.Now().UTC()
	body, err := json.Marshal(dossier.Dossier{Version: dossier.Version, SessionID: sess, KioskID: k.ID, Mode: dossier.ModeKiosk,
		Applicant: dossier.Applicant{Person: kyc.Person{NationalCode: kyc.NationalCode(nationalCode(kioskNo*100000 + j + 1))},
			Mobile: kyc.Mobile(fmt.Sprintf("0912%07d", (kioskNo*100000+j)%10000000))},
		StartedAt: now, AcceptedAt: now, SubmittedAt: now})
	if err != nil {
		d.Err = err
		return d
	}
	start := time.Now()
	wait := backoffFirst
	for {
		d.Attempts++
		status, receipt, err := k.post(ctx, url, d.Key, body)
		switch {
		case err == nil && (status == http.StatusCreated || status == http.StatusOK):
			d.Status, d.Receipt, d.Latency = status, receipt, time.Since(start)
			return d
		case err != nil:
			d.NoAnswer++
		case status == http.StatusUnauthorized:
			d.Unauthorized++
		case status >= 500:
			d.ServerErr++
		case status != http.StatusRequestTimeout && status != http.StatusTooManyRequests:
			d.Err = fmt.Errorf("refused with http %d", status)
			return d
		}
		// As the kiosk's outbox (app/outbox): a connection refused or cut (the back office
		// killed), 5xx (its database restarting), 408, 429, 503 and 401 (a fault at either end
		// that an operator fixes) are tried again after a pause; any other answer is final.
		t := time.NewTimer(rand.N(wait) + time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			d.Err = fmt.Errorf("gave up after %d attempts: %w (last: %v, http %d)", d.Attempts, ctx.Err(), err, status)
			return d
		case <-t.C:
		}
		wait = min(2*wait, backoffMax)
	}
}

func (k *kiosk) post(ctx context.Context, url, key string, body []byte) (int, int64, error) {
	ctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v1/dossiers", bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := k.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, 0, err // the answer was cut: unknown whether it was stored, so try again
	}
	var out struct {
		Receipt string `json:"receipt"`
	}
	if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &out); err != nil {
			return 0, 0, fmt.Errorf("answer %d not JSON: %w", resp.StatusCode, err)
		}
		id, err := strconv.ParseInt(out.Receipt, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("answer %d without a receipt: %s", resp.StatusCode, b)
		}
		return resp.StatusCode, id, nil
	}
	return resp.StatusCode, 0, nil
}

// nationalCode is the n-th valid national code of the bench (distinct for distinct 0 < n < 10⁸:
// a 1, eight digits from n, then the check digit).
func nationalCode(n int) string {
	s := fmt.Sprintf("1%08d", n%100_000_000)
	sum := 0
	for i := range 9 {
		sum += int(s[i]-'0') * (10 - i)
	}
	r := sum % 11
	if r >= 2 {
		r = 11 - r
	}
	return s + strconv.Itoa(r)
}
