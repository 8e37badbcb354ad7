//go:build !linux

package detect

import "os/exec"

// dieWithHost: no parent-death signal outside Linux; the plugin's watch on its parent
// (transport.Serve) ends it when the host is gone.
func dieWithHost(*exec.Cmd) {}
