//go:build !linux

package detect

import (
	"context"
	"syscall"
)

// platform: outside Linux plugins get only the environment and folder parts of the sandbox.
type platform struct{}

func (platform) sysProcAttr(ident) *syscall.SysProcAttr    { return nil }
func (platform) pidNamespace() bool                        { return false }
func (platform) userFor(string) (ident, error)             { return ident{}, nil }
func (platform) own(string, []string, string, ident) error { return nil }

func (b *sandbox) setup(context.Context, string) error {
	for _, n := range []string{"user", "network", "processes", "filesystem", "limits"} {
		b.add(n, false, "the plugin sandbox needs Linux")
	}
	return nil
}

// processAlive cannot tell elsewhere: stale work folders are kept.
func processAlive(int) bool { return true }
