package detect

import (
	"os/exec"
	"syscall"
)

// parentDeathSignal is whether dieWithHost sets the signal; only tests turn it off, to show that
// the plugin's own watch on its parent (transport.Serve) is enough by itself.
var parentDeathSignal = true

// dieWithHost asks the kernel to SIGKILL the plugin when the process that started it dies,
// however it dies (SIGKILL included, which the host cannot handle). Linux sends the signal when
// the starting OS *thread* exits, so the process is started from the plugin's lockedThread, which
// lives as long as the host. Plugins also watch their parent themselves (transport.Serve), for
// hosts on other systems and for the instants before the signal is armed.
func dieWithHost(cmd *exec.Cmd) {
	if !parentDeathSignal {
		return
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
