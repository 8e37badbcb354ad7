package office

import (
	"net/http"
	"testing"
	"time"
)

// The server faces the network: no phase of a connection may be held open without limit.
func TestServerHasEveryTimeout(t *testing.T) {
	hs := newHTTPServer(http.NotFoundHandler(), Limits{}.resolved())
	for name, d := range map[string]time.Duration{"ReadHeaderTimeout": hs.ReadHeaderTimeout, "ReadTimeout": hs.ReadTimeout,
		"WriteTimeout": hs.WriteTimeout, "IdleTimeout": hs.IdleTimeout} {
		if d <= 0 {
			t.Errorf("%s unset: a connection can be held forever", name)
		}
	}
	if hs.IdleTimeout > 5*time.Minute {
		t.Errorf("IdleTimeout %v: idle keep-alive connections are held too long", hs.IdleTimeout)
	}
}
