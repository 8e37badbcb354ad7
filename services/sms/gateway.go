package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ehraz/ehraz/domain/problem"
)

// GatewayConfig configures the HTTP provider. The API key is a secret: it travels in the URL
// path (the gateway's design), so no URL built from it is ever logged or put in an error.
type GatewayConfig struct {
	// BaseURL is the gateway's address, e.g. "https://api.kavenegar.com".
	BaseURL string `toml:"base_url"`
	// APIKey is read from a file or the environment by the caller, never from the TOML file.
	APIKey string `toml:"-"`
	// Timeout bounds one HTTP attempt (default 10s).
	Timeout time.Duration `toml:"-"`
	// Retries is how many times a failed attempt is repeated when the failure may be passing
	// (network error, 5xx, gateway status 409); default 2.
	Retries int `toml:"retries"`
	// Backoff is the wait before the first retry, doubled each time (default 500ms).
	Backoff time.Duration `toml:"-"`
}

// Gateway sends templated messages through a Kavenegar-shaped "verify lookup" API:
// POST {BaseURL}/v1/{APIKey}/verify/lookup.json with form fields receptor, template, token,
// token2, token3; the reply is {"return":{"status":200,"message":"…"},"entries":[{"messageid":…}]}.
type Gateway struct {
	cfg    GatewayConfig
	client *http.Client
}

// NewGateway checks the configuration and returns the provider.
func NewGateway(cfg GatewayConfig) (*Gateway, error) {
	if cfg.BaseURL == "" {
		return nil, fmt.Errorf("sms gateway: base_url is empty")
	}
	if _, err := url.Parse(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("sms gateway: base_url: %w", err)
	}
	if cfg.APIKey == "" {
		return nil, fmt.Errorf("sms gateway: API key is empty")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	} else if cfg.Retries == 0 {
		cfg.Retries = 2
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	return &Gateway{cfg: cfg, client: &http.Client{Timeout: cfg.Timeout}}, nil
}

// GatewayError is a refusal reported by the gateway (its return.status and message).
type GatewayError struct {
	HTTPStatus int
	Status     int
	Message    string
}

func (e *GatewayError) Error() string {
	return fmt.Sprintf("sms gateway: status %d (http %d): %s", e.Status, e.HTTPStatus, e.Message)
}

// Kavenegar's documented return.status values that matter here.
const (
	statusOK              = 200
	statusServerBusy      = 409
	statusInvalidReceptor = 411
)

type lookupReply struct {
	Return struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	} `json:"return"`
	Entries []struct {
		MessageID int64 `json:"messageid"`
		Status    int   `json:"status"`
	} `json:"entries"`
}

// Send sends m to mobile. A refusal the applicant can act on (invalid number) is a
// *problem.Error "sms.invalid_receptor"; anything else is a *problem.Error "sms.unavailable"
// wrapping the cause (which never contains the API key, the number or the tokens).
func (g *Gateway) Send(ctx context.Context, mobile string, m Message) (Receipt, error) {
	if len(m.Tokens) == 0 || len(m.Tokens) > 3 {
		return Receipt{}, fmt.Errorf("sms gateway: %d tokens, want 1 to 3", len(m.Tokens))
	}
	form := url.Values{}
	form.Set("receptor", mobile)
	form.Set("template", string(m.Template))
	for i, t := range m.Tokens {
		name := "token"
		if i > 0 {
			name = fmt.Sprintf("token%d", i+1)
		}
		form.Set(name, t)
	}
	endpoint := strings.TrimRight(g.cfg.BaseURL, "/") + "/v1/" + url.PathEscape(g.cfg.APIKey) + "/verify/lookup.json"
	wait := g.cfg.Backoff
	var last error
	for attempt := 0; attempt <= g.cfg.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return Receipt{}, problem.Wrap("sms.unavailable", fmt.Errorf("sms gateway: %w (after %v)", ctx.Err(), last))
			case <-time.After(wait):
			}
			wait *= 2
		}
		r, retry, err := g.once(ctx, endpoint, form)
		if err == nil {
			return r, nil
		}
		last = err
		if !retry {
			break
		}
	}
	var ge *GatewayError
	if errors.As(last, &ge) && ge.Status == statusInvalidReceptor {
		return Receipt{}, problem.Wrap("sms.invalid_receptor", last)
	}
	return Receipt{}, problem.Wrap("sms.unavailable", last)
}

// once makes one attempt; retry says whether another attempt may succeed.
func (g *Gateway) once(ctx context.Context, endpoint string, form url.Values) (Receipt, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return Receipt{}, false, fmt.Errorf("sms gateway: build request: %w", scrub(err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := g.client.Do(req)
	if err != nil {
		// The send may or may not have happened; a repeat can deliver a second SMS with the same
		// code, which is harmless, while giving up strands the applicant.
		return Receipt{}, ctx.Err() == nil, fmt.Errorf("sms gateway: %w", scrub(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return Receipt{}, true, fmt.Errorf("sms gateway: read reply: %w", err)
	}
	var rep lookupReply
	if err := json.Unmarshal(body, &rep); err != nil || rep.Return.Status == 0 {
		if resp.StatusCode >= 500 {
			return Receipt{}, true, &GatewayError{HTTPStatus: resp.StatusCode, Status: resp.StatusCode, Message: http.StatusText(resp.StatusCode)}
		}
		return Receipt{}, false, fmt.Errorf("sms gateway: http %d: reply is not the expected JSON", resp.StatusCode)
	}
	if rep.Return.Status != statusOK || resp.StatusCode != http.StatusOK {
		ge := &GatewayError{HTTPStatus: resp.StatusCode, Status: rep.Return.Status, Message: rep.Return.Message}
		return Receipt{}, resp.StatusCode >= 500 || rep.Return.Status == statusServerBusy || rep.Return.Status >= 500, ge
	}
	r := Receipt{}
	if len(rep.Entries) > 0 {
		r.MessageID = fmt.Sprint(rep.Entries[0].MessageID)
	}
	return r, false, nil
}

// scrub drops the URL (which holds the API key) from a transport error.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
