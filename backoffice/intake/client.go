package intake

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ehraz/ehraz/services/apicall"
)

// RecordBourseCode asks a running intake server (its admin endpoint) to record the bourse code
// CSDI issued for a session, which sends the applicant the SMS.
func RecordBourseCode(ctx context.Context, baseURL, adminToken, sessionID, code string) error {
	resp, err := apicall.Do(ctx, &http.Client{}, apicall.Policy{Timeout: 15 * time.Second, Retries: 1}, apicall.Request{
		Method: http.MethodPost, URL: strings.TrimRight(baseURL, "/") + "/v1/admin/bourse-code",
		Header: http.Header{"Authorization": {"Bearer " + adminToken}},
		Body:   map[string]string{"sessionId": sessionID, "code": code}})
	if err != nil {
		return fmt.Errorf("record bourse code: %w", err)
	}
	var out struct {
		Status  string `json:"status"`
		SMSSent bool   `json:"smsSent"`
		Error   string `json:"error"`
	}
	if err := resp.Decode(&out); err != nil {
		return fmt.Errorf("record bourse code: %w", err)
	}
	if resp.Status != http.StatusOK {
		return fmt.Errorf("record bourse code: http %d %s", resp.Status, out.Error)
	}
	if !out.SMSSent {
		return fmt.Errorf("bourse code recorded, but the SMS to the applicant failed (it is kept for a resend)")
	}
	return nil
}

// List returns the newest dossiers a running intake holds (admin endpoint).
func List(ctx context.Context, baseURL, adminToken string) ([]Entry, error) {
	resp, err := apicall.Do(ctx, &http.Client{}, apicall.Policy{Timeout: 15 * time.Second, Retries: 1}, apicall.Request{
		Method: http.MethodGet, URL: strings.TrimRight(baseURL, "/") + "/v1/admin/dossiers",
		Header: http.Header{"Authorization": {"Bearer " + adminToken}}})
	if err != nil {
		return nil, fmt.Errorf("list dossiers: %w", err)
	}
	if resp.Status != http.StatusOK {
		return nil, fmt.Errorf("list dossiers: http %d", resp.Status)
	}
	var out struct {
		Dossiers []Entry `json:"dossiers"`
	}
	if err := resp.Decode(&out); err != nil {
		return nil, fmt.Errorf("list dossiers: %w", err)
	}
	return out.Dossiers, nil
}

// Tracking is the back office's answer to an applicant's "track my request".
type Tracking struct {
	Found      bool      `json:"found"`
	Status     string    `json:"status"`
	ReceivedAt time.Time `json:"receivedAt"`
	BourseCode string    `json:"bourseCode"`
}

// Track asks the back office (kiosk token) for the newest dossier of nationalCode under mobile,
// which the kiosk has verified by SMS before asking.
func Track(ctx context.Context, hc *http.Client, baseURL, token, nationalCode, mobile string) (Tracking, error) {
	resp, err := apicall.Do(ctx, hc, apicall.Policy{Timeout: 15 * time.Second, Retries: 1}, apicall.Request{
		Method: http.MethodPost, URL: strings.TrimRight(baseURL, "/") + "/v1/applicant-status",
		Header: http.Header{"Authorization": {"Bearer " + token}},
		Body:   map[string]string{"nationalCode": nationalCode, "mobile": mobile}})
	if err != nil {
		return Tracking{}, fmt.Errorf("track request: %w", err)
	}
	if resp.Status != http.StatusOK {
		return Tracking{}, fmt.Errorf("track request: http %d", resp.Status)
	}
	var out Tracking
	if err := resp.Decode(&out); err != nil {
		return Tracking{}, fmt.Errorf("track request: %w", err)
	}
	return out, nil
}
