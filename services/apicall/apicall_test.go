package apicall

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestDo(t *testing.T) {
	cases := []struct {
		name    string
		codes   []int // answer per call; the last repeats; 0 = hang past the timeout
		status  int   // wanted final status, 0 = UnavailableError
		timeout bool
		calls   int32
	}{
		{"ok", []int{200}, 200, false, 1},
		{"4xx is an answer, not retried", []int{404}, 404, false, 1},
		{"5xx retried then ok", []int{503, 500, 200}, 200, false, 3},
		{"5xx forever", []int{502}, 0, false, 3},
		{"hang is not repeated", []int{0}, 0, true, 1},
		{"hang repeated when asked", []int{0}, 0, true, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				c := tc.codes[min(i, len(tc.codes)-1)]
				if c == 0 {
					time.Sleep(200 * time.Millisecond)
					return
				}
				w.WriteHeader(c)
				w.Write([]byte(`{}`))
			}))
			defer srv.Close()
			resp, err := Do(context.Background(), srv.Client(), Policy{Timeout: 50 * time.Millisecond, Retries: 2, Backoff: time.Millisecond, RetryTimeouts: tc.name == "hang repeated when asked"},
				Request{Method: http.MethodPost, URL: srv.URL + "/x?secret=1", Body: map[string]int{"a": 1}})
			if n.Load() != tc.calls {
				t.Errorf("calls %d, want %d", n.Load(), tc.calls)
			}
			if tc.status != 0 {
				if err != nil || resp.Status != tc.status {
					t.Fatalf("got %d %v", resp.Status, err)
				}
				return
			}
			var ue *UnavailableError
			if !errors.As(err, &ue) || ue.Timeout != tc.timeout || ue.Attempts != int(tc.calls) {
				t.Fatalf("err %v (%+v)", err, ue)
			}
			if strings.Contains(err.Error(), "secret=1") {
				t.Errorf("error carries the URL: %v", err)
			}
		})
	}
}
