// Package apicall makes JSON calls to the external services (SEJAM, Shahkar, the civil
// registry, the intake) with a per-attempt timeout and retries with exponential back-off on
// transport errors and 5xx answers. Callers map what comes back to locale keys.
package apicall

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Policy says how hard to try. Zero fields take the defaults in brackets.
type Policy struct {
	Timeout time.Duration // one attempt [10s]
	Retries int           // extra attempts after a passing failure [2]; negative = none
	Backoff time.Duration // first wait, doubled each time [300ms]
	// RetryTimeouts repeats an attempt that timed out. Off by default: a timed-out call may
	// have taken effect (an SMS sent) and repeating it only makes the applicant wait longer.
	RetryTimeouts bool
}

func (p Policy) norm() Policy {
	if p.Timeout <= 0 {
		p.Timeout = 10 * time.Second
	}
	if p.Retries == 0 {
		p.Retries = 2
	} else if p.Retries < 0 {
		p.Retries = 0
	}
	if p.Backoff <= 0 {
		p.Backoff = 300 * time.Millisecond
	}
	return p
}

// Request is one call.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   any // encoded as JSON when not nil
}

// Response is a non-5xx answer.
type Response struct {
	Status int
	Body   []byte
}

// Decode unmarshals the body into v.
func (r Response) Decode(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("decode reply (http %d): %w", r.Status, err)
	}
	return nil
}

// UnavailableError says every attempt failed with a transport error or a 5xx answer.
type UnavailableError struct {
	Attempts int
	Timeout  bool // the last attempt timed out
	Last     error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("service unavailable after %d attempts: %v", e.Attempts, e.Last)
}

func (e *UnavailableError) Unwrap() error { return e.Last }

// Do sends req under the policy and returns the first answer below 500.
func Do(ctx context.Context, c *http.Client, p Policy, req Request) (Response, error) {
	p = p.norm()
	var body []byte
	if req.Body != nil {
		b, err := json.Marshal(req.Body)
		if err != nil {
			return Response{}, fmt.Errorf("encode request: %w", err)
		}
		body = b
	}
	wait := p.Backoff
	var last error
	timedOut := false
	attempts := 0
	for attempt := 0; attempt <= p.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return Response{}, &UnavailableError{Attempts: attempts, Timeout: true, Last: ctx.Err()}
			case <-time.After(wait):
			}
			wait *= 2
		}
		attempts++
		resp, err := once(ctx, c, p.Timeout, req, body)
		if err == nil && resp.Status < 500 {
			return resp, nil
		}
		if err != nil {
			last = err
			var ne net.Error
			timedOut = errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
			if ctx.Err() != nil || (timedOut && !p.RetryTimeouts) {
				break
			}
		} else {
			last = fmt.Errorf("http %d", resp.Status)
			timedOut = resp.Status == http.StatusGatewayTimeout
		}
	}
	return Response{}, &UnavailableError{Attempts: attempts, Timeout: timedOut, Last: last}
}

func once(ctx context.Context, c *http.Client, timeout time.Duration, req Request, body []byte) (Response, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, rd)
	if err != nil {
		return Response{}, fmt.Errorf("build request: %w", scrub(err))
	}
	for k, v := range req.Header {
		hr.Header[k] = v
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	hr.Header.Set("Accept", "application/json")
	resp, err := c.Do(hr)
	if err != nil {
		return Response{}, scrub(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return Response{}, fmt.Errorf("read reply: %w", err)
	}
	return Response{Status: resp.StatusCode, Body: b}, nil
}

// scrub drops the URL from a transport error: URLs carry national codes and OTPs in their
// path and query, which must not reach logs.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
