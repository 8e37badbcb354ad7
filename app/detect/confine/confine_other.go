//go:build !linux

package confine

import (
	"errors"
	"io"
)

// Run is Linux-only: elsewhere the host does not start plugins through the launcher.
func Run(Spec, []string, io.Writer) error {
	return errors.New("the plugin sandbox needs Linux")
}
