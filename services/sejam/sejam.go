// Package sejam is the client of SEJAM's broker API (and of the Shahkar mobile-ownership
// inquiry it relies on) used at steps 3–4: check that the national code is registered with this
// tracking code and that the mobile typed at the kiosk belongs to the person, make SEJAM send
// its code, and fetch the profile with that code. It implements flow.Sejam; every answer the
// applicant can act on becomes a *problem.Error with a "sejam.*" locale key.
//
// Endpoints (relative to BaseURL), as public broker client code shows them:
//
//	POST accessToken {username,password}            → data.accessToken, data.ttl
//	GET  profiles/{nationalCode}/isSejami            → data (bool)
//	POST kycOtp {uniqueIdentifier[,trackingCode]}     → SEJAM sends its code
//	GET  servicesWithOtp/profiles/{nationalCode}?otp= → data.{type,mobile,privatePerson{…}}
//
// and Shahkar (relative to ShahkarURL): POST matching {nationalCode,mobile} →
// {success,code,data.matched,message}. The trackingCode field is this project's assumption
// (confirm with CSDI's broker documentation).
package sejam

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/domain/problem"
	"github.com/ehraz/ehraz/domain/text"
	"github.com/ehraz/ehraz/services/apicall"
)

// Config says where SEJAM and Shahkar are and how to log in. Secrets (Password, ShahkarKey)
// come from files or the environment, never from the TOML file.
type Config struct {
	BaseURL    string         `toml:"base_url"`    // e.g. "http://127.0.0.1:8787/sejam/v1" (simulator)
	Username   string         `toml:"username"`    //
	Password   string         `toml:"-"`           //
	ShahkarURL string         `toml:"shahkar_url"` // e.g. "http://127.0.0.1:8787/shahkar/v1"
	ShahkarKey string         `toml:"-"`           // bearer token of the Shahkar provider
	Policy     apicall.Policy `toml:"-"`           // timeouts and retries
	// Now is the clock [time.Now].
	Now func() time.Time `toml:"-"`
}

// Client implements flow.Sejam.
type Client struct {
	cfg  Config
	http *http.Client

	mu       sync.Mutex
	token    string
	tokenExp time.Time
}

var _ flow.Sejam = (*Client)(nil)

// New checks the configuration and returns the client.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" || cfg.ShahkarURL == "" {
		return nil, fmt.Errorf("sejam: base_url and shahkar_url are required")
	}
	for _, u := range []string{cfg.BaseURL, cfg.ShahkarURL} {
		if _, err := url.Parse(u); err != nil {
			return nil, fmt.Errorf("sejam: url: %w", err)
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	cfg.ShahkarURL = strings.TrimRight(cfg.ShahkarURL, "/")
	return &Client{cfg: cfg, http: &http.Client{}}, nil
}

type sejamError struct {
	Error *struct {
		Code          string `json:"code"`
		CustomMessage string `json:"customMessage"`
		RetryAfter    int    `json:"retryAfter"`
	} `json:"error"`
}

// fail turns a transport failure into the applicant's message.
func fail(err error) error {
	var ue *apicall.UnavailableError
	if errors.As(err, &ue) && ue.Timeout {
		return problem.Wrap("sejam.timeout", err)
	}
	return problem.Wrap("sejam.unavailable", err)
}

// login returns a valid access token, logging in when there is none or it is about to expire.
func (c *Client) login(ctx context.Context, force bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !force && c.token != "" && c.cfg.Now().Before(c.tokenExp.Add(-30*time.Second)) {
		return c.token, nil
	}
	resp, err := apicall.Do(ctx, c.http, c.cfg.Policy, apicall.Request{Method: http.MethodPost, URL: c.cfg.BaseURL + "/accessToken",
		Body: map[string]string{"username": c.cfg.Username, "password": c.cfg.Password}})
	if err != nil {
		return "", fail(fmt.Errorf("sejam login: %w", err))
	}
	var out struct {
		Data struct {
			AccessToken string `json:"accessToken"`
			TTL         int    `json:"ttl"`
		} `json:"data"`
	}
	if resp.Status != http.StatusOK {
		// Wrong broker credentials are the brokerage's fault, not the applicant's.
		return "", problem.Wrap("sejam.unavailable", fmt.Errorf("sejam login: http %d", resp.Status))
	}
	if err := resp.Decode(&out); err != nil || out.Data.AccessToken == "" {
		return "", problem.Wrap("sejam.unavailable", fmt.Errorf("sejam login: no token in reply (%v)", err))
	}
	c.token = out.Data.AccessToken
	c.tokenExp = c.cfg.Now().Add(time.Duration(out.Data.TTL) * time.Second)
	return c.token, nil
}

// call makes an authenticated SEJAM call, logging in again once when the token was refused.
func (c *Client) call(ctx context.Context, op, method, path string, body any) (apicall.Response, error) {
	for try := 0; ; try++ {
		tok, err := c.login(ctx, try > 0)
		if err != nil {
			return apicall.Response{}, err
		}
		resp, err := apicall.Do(ctx, c.http, c.cfg.Policy, apicall.Request{Method: method, URL: c.cfg.BaseURL + path,
			Header: http.Header{"Authorization": {"Bearer " + tok}}, Body: body})
		if err != nil {
			return resp, fail(fmt.Errorf("sejam %s: %w", op, err))
		}
		if resp.Status == http.StatusUnauthorized && try == 0 {
			continue
		}
		return resp, nil
	}
}

// RequestOTP implements flow.Sejam.
func (c *Client) RequestOTP(ctx context.Context, nationalCode kyc.NationalCode, tracking kyc.TrackingCode, mobile kyc.Mobile) (flow.OTPState, error) {
	if strings.TrimSpace(string(tracking)) == "" {
		return flow.OTPState{}, problem.New("sejam.tracking_mismatch")
	}
	resp, err := c.call(ctx, "isSejami", http.MethodGet, "/profiles/"+url.PathEscape(string(nationalCode))+"/isSejami", nil)
	if err != nil {
		return flow.OTPState{}, err
	}
	var reg struct {
		Data bool `json:"data"`
	}
	if resp.Status != http.StatusOK || resp.Decode(&reg) != nil {
		return flow.OTPState{}, unexpected("isSejami", resp)
	}
	if !reg.Data {
		return flow.OTPState{}, problem.New("sejam.not_registered")
	}

	owned, err := c.shahkar(ctx, string(nationalCode), string(mobile))
	if err != nil {
		return flow.OTPState{}, err
	}
	if !owned {
		return flow.OTPState{}, problem.New("sejam.mobile_not_owned")
	}

	resp, err = c.call(ctx, "kycOtp", http.MethodPost, "/kycOtp", map[string]string{"uniqueIdentifier": string(nationalCode), "trackingCode": string(tracking)})
	if err != nil {
		return flow.OTPState{}, err
	}
	if resp.Status != http.StatusOK {
		return flow.OTPState{}, mapError("kycOtp", resp)
	}
	var out struct {
		Data struct {
			TTL         int    `json:"ttl"`
			ResendAfter int    `json:"resendAfter"`
			Tries       int    `json:"tries"`
			DemoCode    string `json:"demoCode"`
		} `json:"data"`
	}
	if err := resp.Decode(&out); err != nil {
		return flow.OTPState{}, unexpected("kycOtp", resp)
	}
	now := c.cfg.Now()
	st := flow.OTPState{
		ExpiresAt:    now.Add(orDefault(out.Data.TTL, 120)),
		ResendAt:     now.Add(orDefault(out.Data.ResendAfter, 60)),
		AttemptsLeft: out.Data.Tries,
		DemoCode:     out.Data.DemoCode,
	}
	if st.AttemptsLeft <= 0 {
		st.AttemptsLeft = 5
	}
	return st, nil
}

func orDefault(sec, def int) time.Duration {
	if sec <= 0 {
		sec = def
	}
	return time.Duration(sec) * time.Second
}

func (c *Client) shahkar(ctx context.Context, nationalCode, mobile string) (bool, error) {
	resp, err := apicall.Do(ctx, c.http, c.cfg.Policy, apicall.Request{Method: http.MethodPost, URL: c.cfg.ShahkarURL + "/matching",
		Header: http.Header{"Authorization": {"Bearer " + c.cfg.ShahkarKey}},
		Body:   map[string]string{"nationalCode": nationalCode, "mobile": mobile}})
	if err != nil {
		return false, fail(fmt.Errorf("shahkar: %w", err))
	}
	var out struct {
		Success bool   `json:"success"`
		Code    string `json:"code"`
		Data    struct {
			Matched bool `json:"matched"`
		} `json:"data"`
	}
	if resp.Status != http.StatusOK || resp.Decode(&out) != nil || !out.Success {
		return false, problem.Wrap("sejam.unavailable", fmt.Errorf("shahkar: http %d code %q", resp.Status, out.Code))
	}
	return out.Data.Matched, nil
}

// Profile implements flow.Sejam.
func (c *Client) Profile(ctx context.Context, nationalCode kyc.NationalCode, otp string) (kyc.Person, error) {
	resp, err := c.call(ctx, "profile", http.MethodGet, "/servicesWithOtp/profiles/"+url.PathEscape(string(nationalCode))+"?otp="+url.QueryEscape(otp), nil)
	if err != nil {
		return kyc.Person{}, err
	}
	if resp.Status != http.StatusOK {
		return kyc.Person{}, mapError("profile", resp)
	}
	var out struct {
		Data struct {
			Type             kyc.PersonType `json:"type"`
			UniqueIdentifier string         `json:"uniqueIdentifier"`
			Mobile           string         `json:"mobile"`
			PrivatePerson    struct {
				FirstName    string `json:"firstName"`
				LastName     string `json:"lastName"`
				FatherName   string `json:"fatherName"`
				Gender       string `json:"gender"`
				BirthDate    string `json:"birthDate"`
				PlaceOfBirth string `json:"placeOfBirth"`
				Nationality  string `json:"nationality"`
			} `json:"privatePerson"`
		} `json:"data"`
	}
	if err := resp.Decode(&out); err != nil || out.Data.UniqueIdentifier == "" {
		return kyc.Person{}, unexpected("profile", resp)
	}
	d, pp := out.Data, out.Data.PrivatePerson
	p := kyc.Person{
		NationalCode: kyc.NationalCode(text.ASCIIDigits(strings.TrimSpace(d.UniqueIdentifier))),
		FirstName:    text.PersianLetters(strings.TrimSpace(pp.FirstName)),
		LastName:     text.PersianLetters(strings.TrimSpace(pp.LastName)),
		FatherName:   text.PersianLetters(strings.TrimSpace(pp.FatherName)),
		Gender:       strings.ToLower(pp.Gender),
		BirthDate:    text.ASCIIDigits(strings.TrimSpace(pp.BirthDate)),
		PlaceOfBirth: text.PersianLetters(strings.TrimSpace(pp.PlaceOfBirth)),
		Type:         d.Type,
		Nationality:  strings.ToUpper(pp.Nationality),
		Mobile:       kyc.Mobile(text.ASCIIDigits(strings.TrimSpace(d.Mobile))),
	}
	if p.Nationality == "" && (p.Type == kyc.NaturalPerson || p.Type == kyc.LegalPerson) {
		p.Nationality = "IR" // SEJAM's Iranian types imply it
	}
	if p.NationalCode != nationalCode {
		return kyc.Person{}, problem.Wrap("sejam.unavailable", errors.New("sejam profile: answer is about another person"))
	}
	return p, nil
}

// mapError turns a SEJAM refusal into the applicant's message. Codes are the simulator's;
// the real service is known to answer customMessage "invalid otp", matched as well.
func mapError(op string, resp apicall.Response) error {
	var e sejamError
	if resp.Decode(&e) != nil || e.Error == nil {
		return unexpected(op, resp)
	}
	cause := fmt.Errorf("sejam %s: http %d %s", op, resp.Status, e.Error.Code)
	switch {
	case e.Error.Code == "NOT_SEJAMI" || resp.Status == http.StatusNotFound:
		return problem.Wrap("sejam.not_registered", cause)
	case e.Error.Code == "TRACKING_CODE_MISMATCH":
		return problem.Wrap("sejam.tracking_mismatch", cause)
	case e.Error.Code == "OTP_RESEND_TOO_SOON":
		return problem.Wrap("sejam.otp_resend_too_soon", cause, "seconds", strconv.Itoa(max(e.Error.RetryAfter, 1)))
	case e.Error.Code == "OTP_EXPIRED":
		return problem.Wrap("sejam.otp_expired", cause)
	case e.Error.Code == "OTP_TOO_MANY_TRIES":
		return problem.Wrap("sejam.otp_too_many", cause)
	case e.Error.Code == "OTP_NOT_REQUESTED":
		return problem.Wrap("sejam.otp_not_requested", cause)
	case e.Error.Code == "INVALID_OTP" || strings.EqualFold(e.Error.CustomMessage, "invalid otp"):
		return problem.Wrap("sejam.otp_wrong", cause)
	case resp.Status == http.StatusTooManyRequests:
		return problem.Wrap("sejam.rate_limited", cause)
	}
	return problem.Wrap("sejam.unavailable", cause)
}

func unexpected(op string, resp apicall.Response) error {
	return problem.Wrap("sejam.unavailable", fmt.Errorf("sejam %s: unexpected answer, http %d", op, resp.Status))
}
