package ui

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ehraz/ehraz/app/flow"
)

func TestErrorKeyNamesAFullDisk(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&flow.Error{Key: "kyc.national_code.checksum"}, "kyc.national_code.checksum"},
		{fmt.Errorf("flow: store selfie: %w", fmt.Errorf("%w: write: no space left on device", flow.ErrStorageFull)), "flow.error.storage_full"},
		{errors.New("sejam: connection refused"), "service.unavailable"},
	} {
		if got, _ := errorKey(c.err); got != c.want {
			t.Errorf("errorKey(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
