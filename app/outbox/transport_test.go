package outbox

import (
	"net/url"
	"testing"
)

func TestTransportAllowed(t *testing.T) {
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{"https://intake.example-broker.ir", true},
		{"https://10.0.0.5:8790", true},
		{"http://127.0.0.1:8790", true},
		{"http://localhost:8790", true},
		{"http://[::1]:8790", true},
		{"http://10.0.0.5:8790", false},
		{"http://intake.example-broker.ir", false},
		{"ftp://127.0.0.1", false},
		{"intake.example-broker.ir", false},
	} {
		u, err := url.Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		if err := TransportAllowed(u); (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok=%v", c.url, err, c.ok)
		}
	}
}
