package detect

import (
	"os/exec"
	"syscall"
)

// dieWithHost asks the kernel to SIGKILL the plugin when the process that started it dies,
// however it dies (SIGKILL included). Linux sends the signal when the starting *thread* exits;
// plugins are started from the host's goroutines, which are not locked to a thread, and Go keeps
// its idle threads, so in practice that is the process. Should that thread exit early anyway, the
// plugin is killed and the host's supervision restarts it like any crashed plugin. Plugins also
// watch their parent themselves (transport.Serve), for hosts on other systems.
func dieWithHost(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
