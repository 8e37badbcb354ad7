package sms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ehraz/ehraz/domain/problem"
)

const testKey = "SECRET-API-KEY-123"

// fakeKavenegar answers like the gateway: replies[i] is used for the i-th call (the last one
// repeats). A reply of status 0 means "sleep past the client's timeout".
type reply struct {
	http   int
	status int
	msg    string
}

func fakeKavenegar(t *testing.T, calls *atomic.Int32, replies ...reply) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1)) - 1
		if r.Method != http.MethodPost || r.URL.Path != "/v1/"+testKey+"/verify/lookup.json" {
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
		if err := r.ParseForm(); err != nil {
			t.Errorf("form: %v", err)
		}
		if r.PostForm.Get("receptor") != "09121234567" || r.PostForm.Get("template") != "ehraz-otp" || r.PostForm.Get("token") != "482913" {
			t.Errorf("form fields: %v", r.PostForm)
		}
		rp := replies[min(n, len(replies)-1)]
		if rp.status == 0 {
			time.Sleep(300 * time.Millisecond)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rp.http)
		fmt.Fprintf(w, `{"return":{"status":%d,"message":%q},"entries":[{"messageid":8792343,"status":5,"cost":120}]}`, rp.status, rp.msg)
	}))
}

func TestGateway(t *testing.T) {
	ok := reply{200, 200, "تایید شد"}
	cases := []struct {
		name    string
		replies []reply
		wantKey string // "" = success
		calls   int32
	}{
		{"ok", []reply{ok}, "", 1},
		{"5xx then ok is retried", []reply{{503, 503, "busy"}, {502, 502, "bad gateway"}, ok}, "", 3},
		{"server busy 409 is retried", []reply{{409, 409, "server busy"}, ok}, "", 2},
		{"invalid receptor is not retried", []reply{{411, 411, "receptor invalid"}}, "sms.invalid_receptor", 1},
		{"invalid key is not retried", []reply{{403, 403, "invalid api key"}}, "sms.unavailable", 1},
		{"template not found", []reply{{424, 424, "template not found"}}, "sms.unavailable", 1},
		{"5xx forever gives up", []reply{{500, 500, "down"}}, "sms.unavailable", 3},
		{"timeout", []reply{{}}, "sms.unavailable", 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := fakeKavenegar(t, &calls, tc.replies...)
			defer srv.Close()
			g, err := NewGateway(GatewayConfig{BaseURL: srv.URL, APIKey: testKey, Timeout: 100 * time.Millisecond, Retries: 2, Backoff: 5 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			r, err := g.Send(context.Background(), "09121234567", Message{Template: "ehraz-otp", Tokens: []string{"482913"}})
			if got := calls.Load(); got != tc.calls {
				t.Errorf("calls = %d, want %d", got, tc.calls)
			}
			if tc.wantKey == "" {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				if r.MessageID != "8792343" || r.DemoCode != "" {
					t.Errorf("receipt %+v", r)
				}
				return
			}
			var fe *problem.Error
			if !errors.As(err, &fe) || fe.Key != tc.wantKey {
				t.Fatalf("err = %v, want key %s", err, tc.wantKey)
			}
			for _, secret := range []string{testKey, "482913", "09121234567"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error text leaks %q: %v", secret, err)
				}
			}
		})
	}
}

func TestGatewayConfig(t *testing.T) {
	if _, err := NewGateway(GatewayConfig{BaseURL: "http://127.0.0.1:1"}); err == nil {
		t.Error("empty API key accepted")
	}
	if _, err := NewGateway(GatewayConfig{APIKey: "k"}); err == nil {
		t.Error("empty base URL accepted")
	}
}

func TestGatewayUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there now
	g, err := NewGateway(GatewayConfig{BaseURL: addr, APIKey: testKey, Retries: 1, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Send(context.Background(), "09121234567", Message{Template: "t", Tokens: []string{"1"}})
	var fe *problem.Error
	if !errors.As(err, &fe) || fe.Key != "sms.unavailable" || strings.Contains(err.Error(), testKey) {
		t.Fatalf("err = %v", err)
	}
}

func TestConsole(t *testing.T) {
	c := NewConsole(2)
	for i, m := range []string{"09120000001", "09120000002", "09120000003"} {
		r, err := c.Send(context.Background(), m, Message{Template: "otp", Tokens: []string{fmt.Sprint(100000 + i)}})
		if err != nil || r.DemoCode != fmt.Sprint(100000+i) {
			t.Fatalf("send %d: %+v %v", i, r, err)
		}
	}
	if _, ok := c.Last("09120000001"); ok {
		t.Error("kept more than 2 messages")
	}
	if r := c.Recent(); len(r) != 2 || r[0].Mobile != "09120000003" || r[1].Mobile != "09120000002" {
		t.Errorf("Recent = %+v", r)
	}
	if s, ok := c.Last("09120000003"); !ok || s.Message.Tokens[0] != "100002" {
		t.Errorf("Last = %+v %v", s, ok)
	}
}
