//go:build !linux

package detect

import "os/exec"

// parentDeathSignal: there is none outside Linux (see procattr_linux.go).
var parentDeathSignal = false

// dieWithHost: no parent-death signal outside Linux; the plugin's watch on its parent
// (transport.Serve) ends it when the host is gone.
func dieWithHost(*exec.Cmd) {}
