package problem

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestErrorText(t *testing.T) {
	for _, c := range []struct {
		err  *Error
		want string
	}{
		{New("flow.no_session"), "flow.no_session"},
		{New("kyc.mobile.unknown_operator", "prefix", "0940"), "kyc.mobile.unknown_operator (prefix 0940)"},
		{Wrap("sejam.unavailable", errors.New("http 503")), "sejam.unavailable: http 503"},
		{Wrap("sejam.otp_resend_too_soon", errors.New("http 429"), "seconds", "30"), "sejam.otp_resend_too_soon (seconds 30): http 429"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
}

func TestChain(t *testing.T) {
	err := fmt.Errorf("outer: %w", Wrap("service.unavailable", io.EOF))
	e, ok := As(err)
	if !ok || e.Key != "service.unavailable" {
		t.Fatalf("As(%v) = %v, %v", err, e, ok)
	}
	if !errors.Is(err, io.EOF) {
		t.Error("the cause is not reachable with errors.Is")
	}
	if e, ok := As(io.EOF); ok || e != nil {
		t.Errorf("As found %v in a chain without one", e)
	}
}
