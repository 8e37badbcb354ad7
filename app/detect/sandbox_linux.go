package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/ehraz/ehraz/app/detect/confine"
)

// platform is the Linux part of the sandbox: the plugin's user and namespaces.
type platform struct {
	root       bool   // the host runs as root: plugins run as uid/gid
	uid, gid   int    // the plugin's user (the host's own when not root)
	namespaces bool   // own network, PID and IPC namespaces (and user namespace when not root)
	userDesc   string // for the status
}

// sysProcAttr is how the launcher (or the plugin, without one) is started.
func (p platform) sysProcAttr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{}
	if p.root {
		a.Credential = &syscall.Credential{Uid: uint32(p.uid), Gid: uint32(p.gid), Groups: []uint32{}}
	}
	if p.namespaces {
		a.Cloneflags = syscall.CLONE_NEWNET | syscall.CLONE_NEWPID | syscall.CLONE_NEWIPC
		if !p.root {
			// An unprivileged host needs a user namespace to create the others. The plugin keeps
			// its uid (mapped to itself), so it has no capabilities after exec.
			a.Cloneflags |= syscall.CLONE_NEWUSER
			a.UidMappings = []syscall.SysProcIDMap{{ContainerID: p.uid, HostID: p.uid, Size: 1}}
			a.GidMappings = []syscall.SysProcIDMap{{ContainerID: p.gid, HostID: p.gid, Size: 1}}
		}
	}
	return a
}

// pidNamespace: the fork-time parent-death signal cannot be used (see confine.Spec).
func (p platform) pidNamespace() bool { return p.namespaces }

// own lets the plugin's user reach its binary and own its temporary folder.
func (p platform) own(root, binDir, tmp string) error {
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{{root, 0o711}, {binDir, 0o755}} {
		if err := os.Chmod(c.path, c.mode); err != nil {
			return err
		}
	}
	return p.ownTmp(tmp)
}

// ownTmp gives the plugin's user its temporary folder.
func (p platform) ownTmp(tmp string) error {
	if p.root {
		return os.Chown(tmp, p.uid, p.gid)
	}
	return nil
}

// setup finds the launcher, decides the user and probes which namespaces and Landlock rules this
// kernel enforces, by starting the launcher in probe mode the way it will start every plugin.
func (b *sandbox) setup(ctx context.Context, pluginDir string) error {
	p := platform{uid: os.Getuid(), gid: os.Getgid()}
	if os.Geteuid() == 0 {
		uid, gid, err := lookupUser(b.cfg.User)
		if err != nil {
			return err
		}
		p.root, p.uid, p.gid = true, uid, gid
		p.userDesc = fmt.Sprintf("kiosk runs as root: plugins run as %s (uid %d, gid %d, no supplementary groups)", b.cfg.User, uid, gid)
	} else {
		p.userDesc = fmt.Sprintf("kiosk not root: plugins run as its user (uid %d) without capabilities", p.uid)
	}
	b.plat = p
	b.add("user", true, p.userDesc)

	src, err := findLauncher(b.cfg, pluginDir)
	var exe []byte
	if err == nil {
		exe, err = os.ReadFile(src)
	}
	if err == nil {
		b.launcher = filepath.Join(b.workDir, launcherName)
		os.Remove(b.launcher)
		err = writeExecutable(b.launcher, exe)
	}
	if err != nil {
		b.launcher = ""
		why := "no launcher: " + err.Error()
		for _, n := range []string{"network", "processes", "filesystem", "limits"} {
			b.add(n, false, why)
		}
		return nil
	}

	host := confine.Report{}
	host.NetNS, _ = os.Readlink("/proc/self/ns/net")
	host.PIDNS, _ = os.Readlink("/proc/self/ns/pid")
	// Namespaces first; if the kernel refuses them (unprivileged user namespaces disabled by
	// sysctl or AppArmor), the same without, so Landlock and the limits still apply.
	var nsErr error
	var rep confine.Report
	for _, ns := range []bool{true, false} {
		b.plat.namespaces = ns
		if rep, err = b.probe(ctx); err == nil {
			break
		}
		if ns {
			nsErr = err
		}
	}
	if err != nil {
		b.launcher = ""
		b.plat.namespaces = false
		why := "launcher probe failed: " + err.Error()
		for _, n := range []string{"network", "processes", "filesystem", "limits"} {
			b.add(n, false, why)
		}
		return nil
	}
	tcp := rep.LandlockABI >= 4
	switch {
	case rep.NetNS != "" && rep.NetNS != host.NetNS && tcp:
		b.add("network", true, fmt.Sprintf("own network namespace (no interface but a down loopback) and Landlock ABI %d denies TCP bind/connect", rep.LandlockABI))
	case rep.NetNS != "" && rep.NetNS != host.NetNS:
		b.add("network", true, "own network namespace (no interface but a down loopback)")
	case tcp:
		b.add("network", false, fmt.Sprintf("no network namespace (%v); only TCP bind/connect denied by Landlock ABI %d, UDP open", nsErr, rep.LandlockABI))
	default:
		b.add("network", false, fmt.Sprintf("no network namespace (%v) and no Landlock network rules (ABI %d < 4)", nsErr, rep.LandlockABI))
	}
	if rep.PIDNS != "" && rep.PIDNS != host.PIDNS {
		b.add("processes", true, "own PID namespace: everything the plugin starts dies with it")
	} else {
		b.add("processes", false, fmt.Sprintf("no PID namespace (%v): children of a killed plugin may outlive it", nsErr))
	}
	if rep.LandlockABI > 0 {
		b.add("filesystem", true, fmt.Sprintf("Landlock ABI %d: read its binary, models and system libraries; write only its temporary folder", rep.LandlockABI))
	} else {
		b.add("filesystem", false, rep.Landlock)
	}
	b.add("limits", true, fmt.Sprintf("address space %d MiB, CPU time %d s, %d open files, %d processes and threads",
		b.cfg.MemoryBytes>>20, b.cfg.CPUSeconds, b.cfg.OpenFiles, b.cfg.Processes))
	return nil
}

// probe runs the launcher in probe mode as a plugin would be run.
func (b *sandbox) probe(ctx context.Context) (confine.Report, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	tmp := filepath.Join(b.workDir, ".probe")
	os.RemoveAll(tmp)
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return confine.Report{}, err
	}
	defer os.RemoveAll(tmp)
	if err := b.plat.ownTmp(tmp); err != nil {
		return confine.Report{}, err
	}
	s := b.spec(b.launcher, tmp)
	s.Probe, s.DieWithParent = true, false
	cmd := exec.CommandContext(ctx, b.launcher, s.Args()...)
	cmd.Dir, cmd.Env, cmd.SysProcAttr = tmp, b.envFor(tmp), b.plat.sysProcAttr()
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return confine.Report{}, fmt.Errorf("%w %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	var r confine.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return confine.Report{}, fmt.Errorf("launcher probe answer %q: %w", out.String(), err)
	}
	return r, nil
}

// lookupUser resolves the plugins' user: a name, or a bare number used as both uid and gid (a
// user of its own that needs no account); nobody falls back to 65534 on systems without it.
func lookupUser(name string) (uid, gid int, err error) {
	if n, err := strconv.Atoi(name); err == nil {
		if n <= 0 {
			return 0, 0, fmt.Errorf("plugin sandbox user %q: not an unprivileged uid", name)
		}
		return n, n, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		if name == "nobody" {
			return 65534, 65534, nil
		}
		return 0, 0, fmt.Errorf("plugin sandbox user %q: %w", name, err)
	}
	if uid, err = strconv.Atoi(u.Uid); err == nil {
		gid, err = strconv.Atoi(u.Gid)
	}
	if err != nil || uid == 0 {
		return 0, 0, fmt.Errorf("plugin sandbox user %q: not an unprivileged numeric user (uid %s)", name, u.Uid)
	}
	return uid, gid, nil
}

// processAlive reports whether a process with this PID exists (EPERM: it does, as another user).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
