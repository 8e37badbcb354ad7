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
	"sync"
	"syscall"
	"time"

	"github.com/ehraz/ehraz/app/detect/confine"
	"golang.org/x/sys/unix"
)

// platform is the Linux part of the sandbox: the plugins' users and namespaces.
type platform struct {
	root       bool   // the host runs as root: each plugin runs as a user of its own
	host       ident  // the host's own user (the plugins' when not root)
	namespaces bool   // own network, PID and IPC namespaces (and user namespace when not root)
	mount      bool   // also own user and mount namespaces, the launcher holding CAP_SYS_ADMIN there
	userDesc   string // for the status

	shared     *ident // root with SandboxConfig.User set: every plugin runs as this user
	first, end int    // root otherwise: the uid range [first, end)

	mu     sync.Mutex
	next   int
	byName map[string]ident
}

// userFor is the user plugin name runs as: the host's own when not root; when root, the
// configured shared user, or one of the range's uids given to name alone (kept for the host's
// life, so a restarted plugin finds its folder as it left it).
func (p *platform) userFor(name string) (ident, error) {
	if !p.root {
		return p.host, nil
	}
	if p.shared != nil {
		return *p.shared, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if id, ok := p.byName[name]; ok {
		return id, nil
	}
	for ; p.next < p.end; p.next++ {
		if accountExists(p.next) {
			continue
		}
		id := ident{p.next, p.next}
		p.byName[name] = id
		p.next++
		return id, nil
	}
	return ident{}, fmt.Errorf("no free uid left in the plugin range %d-%d for plugin %q", p.first, p.end-1, name)
}

// accountExists: a user or group with this number is known to the system (passwd, group or
// NSS), so it is not the sandbox's to give.
func accountExists(id int) bool {
	n := strconv.Itoa(id)
	if _, err := user.LookupId(n); err == nil {
		return true
	}
	_, err := user.LookupGroupId(n)
	return err == nil
}

// sysProcAttr is how the launcher (or the plugin, without one) of a plugin running as id is
// started.
func (p *platform) sysProcAttr(id ident) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{}
	if p.root {
		a.Credential = &syscall.Credential{Uid: uint32(id.uid), Gid: uint32(id.gid), Groups: []uint32{}}
	}
	if p.namespaces {
		a.Cloneflags = syscall.CLONE_NEWNET | syscall.CLONE_NEWPID | syscall.CLONE_NEWIPC
		if !p.root || p.mount {
			// An unprivileged host needs a user namespace to create the others; the mount
			// namespace is made in one even by root, so that the launcher's CAP_SYS_ADMIN holds
			// over its own namespaces only. The plugin keeps its uid (mapped to itself), so it
			// has no capabilities after exec.
			a.Cloneflags |= syscall.CLONE_NEWUSER
			a.UidMappings = []syscall.SysProcIDMap{{ContainerID: id.uid, HostID: id.uid, Size: 1}}
			a.GidMappings = []syscall.SysProcIDMap{{ContainerID: id.gid, HostID: id.gid, Size: 1}}
			// Root may let the child call setgroups, which drops root's supplementary groups
			// (Credential.Groups is empty); an unprivileged host keeps its own, as it must.
			a.GidMappingsEnableSetgroups = p.root
		}
		if p.mount {
			// The launcher builds the plugin's tree with it, then drops every capability
			// (confine.dropCapabilities) before it becomes the plugin.
			a.Cloneflags |= syscall.CLONE_NEWNS
			a.AmbientCaps = []uintptr{unix.CAP_SYS_ADMIN}
		}
	}
	return a
}

// pidNamespace: the fork-time parent-death signal cannot be used (see confine.Spec).
func (p *platform) pidNamespace() bool { return p.namespaces }

// own lets the plugin's user reach its binary and own its temporary folder. When plugins have
// users of their own, the plugin's folder is root's with its group only allowed through
// (0710): no other plugin can even look inside.
func (p *platform) own(root string, readable []string, tmp string, id ident) error {
	mode := os.FileMode(0o711)
	if p.root && p.shared == nil {
		if err := os.Chown(root, 0, id.gid); err != nil {
			return err
		}
		mode = 0o710
	}
	if err := os.Chmod(root, mode); err != nil {
		return err
	}
	for _, d := range readable {
		if err := os.Chmod(d, 0o755); err != nil {
			return err
		}
	}
	return p.ownTmp(tmp, id)
}

// ownTmp gives the plugin's user its temporary folder.
func (p *platform) ownTmp(tmp string, id ident) error {
	if p.root {
		return os.Chown(tmp, id.uid, id.gid)
	}
	return nil
}

// setup finds the launcher, decides the users and probes which namespaces and file-system
// confinement this kernel enforces, by starting the launcher in probe mode the way it will
// start every plugin.
func (b *sandbox) setup(ctx context.Context, pluginDir string) error {
	p := &b.plat
	p.host = ident{os.Getuid(), os.Getgid()}
	if os.Geteuid() == 0 {
		p.root = true
		if b.cfg.User != "" {
			uid, gid, err := lookupUser(b.cfg.User)
			if err != nil {
				return err
			}
			p.shared = &ident{uid, gid}
			p.userDesc = fmt.Sprintf("kiosk runs as root: every plugin runs as %s (uid %d, gid %d, no supplementary groups), one user shared by all plugins", b.cfg.User, uid, gid)
		} else {
			first, count, err := parseUIDs(b.cfg.UIDs)
			if err != nil {
				return err
			}
			p.first, p.end, p.next, p.byName = first, first+count, first, map[string]ident{}
			p.userDesc = fmt.Sprintf("kiosk runs as root: each plugin runs as a user of its own (uid = gid from %d-%d, no account, no supplementary groups); its folder is closed to the others", first, first+count-1)
		}
	} else {
		p.userDesc = fmt.Sprintf("kiosk not root: plugins run as its user (uid %d) without capabilities", p.host.uid)
	}
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
	rep, nsErr, mountErr, err := b.choose(ctx)
	if err != nil {
		b.launcher = ""
		p.namespaces, p.mount, b.fs = false, false, ""
		why := "launcher probe failed: " + err.Error()
		for _, n := range []string{"network", "processes", "filesystem", "limits"} {
			b.add(n, false, why)
		}
		return nil
	}
	landlock := rep.LandlockApplied()
	tcp := landlock && rep.LandlockABI >= 4
	switch {
	case rep.NetNS != "" && rep.NetNS != host.NetNS && tcp:
		b.add("network", true, fmt.Sprintf("own network namespace (no interface but a down loopback) and Landlock ABI %d denies TCP bind/connect", rep.LandlockABI))
	case rep.NetNS != "" && rep.NetNS != host.NetNS:
		b.add("network", true, "own network namespace (no interface but a down loopback)")
	case tcp:
		b.add("network", false, fmt.Sprintf("no network namespace (%v); only TCP bind/connect denied by Landlock ABI %d, UDP open", nsErr, rep.LandlockABI))
	default:
		b.add("network", false, fmt.Sprintf("no network namespace (%v) and no Landlock network rules", nsErr))
	}
	if rep.PIDNS != "" && rep.PIDNS != host.PIDNS {
		b.add("processes", true, "own PID namespace: everything the plugin starts dies with it")
	} else {
		b.add("processes", false, fmt.Sprintf("no PID namespace (%v): children of a killed plugin may outlive it", nsErr))
	}
	proc := "its own /proc"
	if !rep.Proc {
		proc = "/proc/cpuinfo only (the kernel refused a new /proc)"
	}
	tree := "mount namespace: its root is a read-only tmpfs holding only its binary, models, system libraries, /dev/null, /dev/urandom, " +
		proc + " and its temporary folder (read-write, no exec); the rest of the machine is not there"
	switch {
	case rep.Mount && landlock:
		b.add("filesystem", true, fmt.Sprintf("%s; and Landlock ABI %d inside it", tree, rep.LandlockABI))
	case rep.Mount && rep.LandlockABI > 0:
		b.add("filesystem", true, fmt.Sprintf("%s (Landlock ABI %d present, not used: filesystem = %s)", tree, rep.LandlockABI, b.cfg.Filesystem))
	case rep.Mount:
		b.add("filesystem", true, tree+" (the kernel has no Landlock)")
	case landlock && mountErr != nil:
		b.add("filesystem", true, fmt.Sprintf("Landlock ABI %d: read its binary, models and system libraries; write only its temporary folder (the configured %s failed: %v)", rep.LandlockABI, b.cfg.Filesystem, mountErr))
	case landlock:
		b.add("filesystem", true, fmt.Sprintf("Landlock ABI %d: read its binary, models and system libraries; write only its temporary folder", rep.LandlockABI))
	case mountErr != nil:
		b.add("filesystem", false, fmt.Sprintf("%s; mount namespace fallback failed: %v", rep.Landlock, mountErr))
	default:
		b.add("filesystem", false, rep.Landlock+"; mount namespace fallback not tried (filesystem = landlock)")
	}
	b.add("limits", true, fmt.Sprintf("address space %d MiB, CPU time %d s, %d open files, %d processes and threads",
		b.cfg.MemoryBytes>>20, b.cfg.CPUSeconds, b.cfg.OpenFiles, b.cfg.Processes))
	return nil
}

// choose probes the launcher and settles the namespaces and file-system confinement: auto
// takes Landlock where the kernel applies it and the mount namespace otherwise; landlock never
// builds a mount namespace; mountns and both build one, and fall back to Landlock alone (said
// in the status) where this kernel refuses it. nsErr is why namespaces were refused, mountErr
// why the mount namespace was not used (nil when it was, or was never tried).
func (b *sandbox) choose(ctx context.Context) (rep confine.Report, nsErr, mountErr error, err error) {
	p := &b.plat
	tryMount := func(fs string) bool {
		p.namespaces, p.mount, b.fs = true, true, fs
		r, e := b.probe(ctx)
		if e == nil && r.Mount {
			rep = r
			return true
		}
		if e == nil {
			e = errors.New("the launcher did not build the tree")
		}
		mountErr = e
		p.namespaces, p.mount, b.fs = false, false, ""
		return false
	}
	mode := b.cfg.Filesystem
	if (mode == FSMount || mode == FSBoth) && tryMount(mode) {
		return rep, nil, nil, nil
	}
	// Namespaces first; if the kernel refuses them (unprivileged user namespaces disabled by
	// sysctl or AppArmor), the same without, so Landlock and the limits still apply.
	for _, ns := range []bool{true, false} {
		p.namespaces, b.fs = ns, FSLandlock
		if rep, err = b.probe(ctx); err == nil {
			break
		}
		if ns {
			nsErr = err
		}
	}
	if err != nil {
		return rep, nsErr, mountErr, err
	}
	if mode == FSAuto && !rep.LandlockApplied() {
		ns := p.namespaces
		if tryMount(FSMount) {
			return rep, nil, nil, nil
		}
		p.namespaces, b.fs = ns, FSLandlock
	}
	return rep, nsErr, mountErr, nil
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
	// The mount namespace's root: spec names tmp's sibling "root", here workDir/root.
	mnt := filepath.Join(b.workDir, "root")
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		return confine.Report{}, err
	}
	id, err := b.plat.userFor(".probe")
	if err != nil {
		return confine.Report{}, err
	}
	if err := b.plat.ownTmp(tmp, id); err != nil {
		return confine.Report{}, err
	}
	s := b.spec(b.launcher, tmp)
	s.Probe, s.DieWithParent = true, false
	cmd := exec.CommandContext(ctx, b.launcher, s.Args()...)
	cmd.Dir, cmd.Env, cmd.SysProcAttr = tmp, b.envFor(tmp), b.plat.sysProcAttr(id)
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
