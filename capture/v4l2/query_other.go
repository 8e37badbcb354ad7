//go:build !linux

package v4l2

import (
	"errors"
	"fmt"
)

// ErrUnsupported is QueryCap's answer off Linux.
var ErrUnsupported = errors.New("v4l2: not supported on this system")

// QueryCap needs Linux.
func QueryCap(path string) (Capability, error) {
	return Capability{}, fmt.Errorf("%s: %w", path, ErrUnsupported)
}
