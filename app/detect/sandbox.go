package detect

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ehraz/ehraz/app/detect/confine"
)

// SandboxConfig says how plugins are confined. A plugin is vendor code the kiosk does not trust:
// it gets an empty environment plus an explicit allow-list, its own working and temporary
// folder, and on Linux (through the launcher ehraz-sandbox, see app/detect/confine) its own
// network and PID namespaces, an unprivileged user when the kiosk runs as root, Landlock
// file-system rules and resource limits. Zero values take the defaults shown.
type SandboxConfig struct {
	// Disable runs plugins unconfined but for the environment and folder; reported as such by
	// Host.Sandbox. For tests of other mechanisms and systems without the launcher only.
	Disable bool
	// Launcher is the ehraz-sandbox binary (default: beside the running executable, then in the
	// parent of Dir: bin/plugins → bin/ehraz-sandbox).
	Launcher string
	// WorkDir holds each plugin's verified binary copy and temporary folder (default: a fresh
	// folder under the system's temporary folder, removed by Close).
	WorkDir string
	// ModelDir is the models folder plugins may read, given to them as EHRAZ_MODEL_DIR
	// (default: Dir/../../models when it exists, as bin/plugins → models).
	ModelDir string
	// ReadOnly lists more files and folders every plugin may read.
	ReadOnly []string
	// Env lists KEY=VALUE pairs given to every plugin besides the sandbox's own variables; the
	// kiosk's environment (store key, service secrets) is never passed.
	Env []string
	// Lang is given to plugins as EHRAZ_LANG ("" leaves it out).
	Lang string
	// User, when set, is the one unprivileged user every plugin runs as when the host runs as
	// root: a name, or a number used as uid and gid. Unset (the default), each plugin gets a
	// user of its own from UIDs, so one vendor's plugin cannot read another's folder.
	User string
	// UIDs is the range "first-last" the host, when root, gives each plugin a uid (and the same
	// gid) from, in the order plugins first start; numbers with an account (passwd or group)
	// are skipped. Default 65600-65699 (above the 16-bit ids Debian allocates).
	UIDs string
	// Filesystem chooses the file-system confinement: "auto" (default: Landlock where the kernel
	// has it, else the mount namespace), "landlock", "mountns" (forces the fallback, also where
	// Landlock exists: for tests and machines where Landlock misbehaves) or "both".
	Filesystem string
	// Limits per plugin process (defaults: 4 GiB address space, 1 h CPU time, 1024 open files,
	// 256 processes and threads).
	MemoryBytes uint64
	CPUSeconds  uint64
	OpenFiles   uint64
	Processes   uint64
}

func (c *SandboxConfig) defaults(pluginDir string) {
	if c.ModelDir == "" && pluginDir != "" {
		if d := filepath.Join(pluginDir, "..", "..", "models"); isDir(d) {
			c.ModelDir = d
		}
	}
	if c.UIDs == "" {
		c.UIDs = "65600-65699"
	}
	if c.Filesystem == "" {
		c.Filesystem = FSAuto
	}
	if c.MemoryBytes == 0 {
		c.MemoryBytes = 4 << 30
	}
	if c.CPUSeconds == 0 {
		c.CPUSeconds = 3600
	}
	if c.OpenFiles == 0 {
		c.OpenFiles = 1024
	}
	if c.Processes == 0 {
		c.Processes = 256
	}
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// SandboxConfig.Filesystem values.
const (
	FSAuto     = "auto"
	FSLandlock = confine.FSLandlock
	FSMount    = confine.FSMount
	FSBoth     = confine.FSBoth
)

// parseUIDs reads a "first-last" range of unprivileged ids.
func parseUIDs(r string) (first, count int, err error) {
	a, b, ok := strings.Cut(r, "-")
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || lo < 1000 || hi < lo || hi >= 1<<31 || hi-lo > 1<<20 {
		return 0, 0, fmt.Errorf("plugin sandbox uids %q: want first-last, unprivileged (1000 or more)", r)
	}
	return lo, hi - lo + 1, nil
}

// ident is the user and group a plugin runs as.
type ident struct{ uid, gid int }

// Guard is one confinement the host tried to apply to its plugins.
type Guard struct {
	Name     string // environment, folder, user, network, processes, filesystem, limits, signature
	Enforced bool
	Detail   string // how it is enforced, or why it is not
}

// SandboxStatus is what the host enforces on its plugins on this machine, for operator mode and
// the log. A guard the machine cannot enforce is listed with Enforced false, never left out.
type SandboxStatus struct {
	Guards []Guard
}

// Unenforced lists the guards not in force.
func (s SandboxStatus) Unenforced() []Guard {
	var out []Guard
	for _, g := range s.Guards {
		if !g.Enforced {
			out = append(out, g)
		}
	}
	return out
}

func (s SandboxStatus) String() string {
	var b strings.Builder
	for i, g := range s.Guards {
		if i > 0 {
			b.WriteString("; ")
		}
		mark := "enforced"
		if !g.Enforced {
			mark = "NOT ENFORCED"
		}
		fmt.Fprintf(&b, "%s %s (%s)", g.Name, mark, g.Detail)
	}
	return b.String()
}

// systemReadOnly is what every plugin may read: shared libraries and the loader's cache, CPU
// facts some libraries size their thread pools by, and the harmless devices. /etc/alternatives
// holds only the links Debian routes BLAS and LAPACK through (liblapack.so.3 → alternatives →
// the chosen build): Landlock lets a path walk through any link, but in the mount namespace a
// link's target must be in the tree.
var systemReadOnly = []string{
	"/usr", "/lib", "/lib64", "/lib32", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
	"/etc/localtime", "/proc/cpuinfo", "/sys/devices/system/cpu", "/dev/null", "/dev/urandom",
}

// sandbox is the host's confinement of its plugins: folders, environment and the platform part
// (launcher, namespaces, user), decided once by Open.
type sandbox struct {
	cfg      SandboxConfig
	workDir  string
	ownsWork bool   // workDir was created by the host: Close removes it
	launcher string // the launcher's copy inside workDir; "" runs plugins directly
	fs       string // the file-system confinement in force: FSLandlock, FSMount, FSBoth or ""
	plat     platform
	status   SandboxStatus
}

// envFor is a plugin's whole environment: nothing from the host's but what is listed here.
func (b *sandbox) envFor(tmp string) []string {
	env := []string{"HOME=" + tmp, "TMPDIR=" + tmp, "PATH=/usr/bin:/bin", "LANG=C.UTF-8"}
	if b.cfg.ModelDir != "" {
		env = append(env, "EHRAZ_MODEL_DIR="+b.cfg.ModelDir)
	}
	if b.cfg.Lang != "" {
		env = append(env, "EHRAZ_LANG="+b.cfg.Lang)
	}
	return append(env, b.cfg.Env...)
}

// envNames lists the variable names a plugin gets, for the status.
func (b *sandbox) envNames() []string {
	var names []string
	for _, kv := range b.envFor("") {
		k, _, _ := strings.Cut(kv, "=")
		names = append(names, k)
	}
	return names
}

// prepare writes a fresh copy of the verified binary bytes into workDir/<name>/bin and empties
// workDir/<name>/tmp (and the mount namespace's empty workDir/<name>/root). The host executes
// this copy, never the file it hashed: a binary swapped in the plugin folder after
// verification is never run.
func (b *sandbox) prepare(name, binary string, bin []byte) (exe, tmp string, err error) {
	root := filepath.Join(b.workDir, name)
	binDir, tmp, mnt := filepath.Join(root, "bin"), filepath.Join(root, "tmp"), filepath.Join(root, "root")
	if err := os.RemoveAll(root); err != nil {
		return "", "", fmt.Errorf("plugin %q: clear sandbox folder: %w", name, err)
	}
	for _, d := range []string{root, binDir, tmp, mnt} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return "", "", fmt.Errorf("plugin %q: sandbox folder: %w", name, err)
		}
	}
	exe = filepath.Join(binDir, binary)
	if err := writeExecutable(exe, bin); err != nil {
		return "", "", fmt.Errorf("plugin %q: %w", name, err)
	}
	id, err := b.plat.userFor(name)
	if err != nil {
		return "", "", fmt.Errorf("plugin %q: %w", name, err)
	}
	if err := b.plat.own(root, []string{binDir, mnt}, tmp, id); err != nil {
		return "", "", fmt.Errorf("plugin %q: sandbox folder: %w", name, err)
	}
	return exe, tmp, nil
}

// writeExecutable writes b as a new read-and-execute-only file.
func writeExecutable(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o500)
	if err != nil {
		return fmt.Errorf("copy binary: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(path, 0o555)
	}
	if err != nil {
		return fmt.Errorf("copy binary %s: %w", path, err)
	}
	return nil
}

// spec is the launcher's confinement of one plugin; tmp's sibling "root" is the empty folder
// the mount namespace's tree is built on.
func (b *sandbox) spec(exe, tmp string) confine.Spec {
	ro := slices.Clone(systemReadOnly)
	if b.cfg.ModelDir != "" {
		ro = append(ro, b.cfg.ModelDir)
	}
	return confine.Spec{
		Exec: exe, ReadOnly: append(ro, b.cfg.ReadOnly...), ReadWrite: []string{tmp},
		MemoryBytes: b.cfg.MemoryBytes, CPUSeconds: b.cfg.CPUSeconds,
		OpenFiles: b.cfg.OpenFiles, Processes: b.cfg.Processes, DieWithParent: parentDeathSignal,
		FS: b.fs, Root: filepath.Join(filepath.Dir(tmp), "root"),
	}
}

// close removes the work folder the host created.
func (b *sandbox) close() {
	if b.ownsWork {
		os.RemoveAll(b.workDir)
	}
}

// findLauncher is the configured launcher, else ehraz-sandbox beside the executable or in the
// parent of the plugin folder.
func findLauncher(cfg SandboxConfig, pluginDir string) (string, error) {
	if cfg.Launcher != "" {
		return cfg.Launcher, nil
	}
	var tried []string
	if exe, err := os.Executable(); err == nil {
		tried = append(tried, filepath.Join(filepath.Dir(exe), launcherName))
	}
	tried = append(tried, filepath.Join(pluginDir, "..", launcherName))
	for _, p := range tried {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("launcher %s not found (looked at %s; `make build` builds it)", launcherName, strings.Join(tried, ", "))
}

const launcherName = "ehraz-sandbox"

// Default work folders are <temp>/ehraz-plugins-*, each naming its host in host.pid.
const (
	workDirPrefix = "ehraz-plugins-"
	hostPIDFile   = "host.pid"
)

// removeStaleWorkDirs removes the default work folders of hosts that are no longer running (each
// holds copies of the plugin binaries, tens of MB). A folder without host.pid is left alone.
func removeStaleWorkDirs(tmp string) {
	dirs, _ := filepath.Glob(filepath.Join(tmp, workDirPrefix+"*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, hostPIDFile))
		if err != nil {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid != os.Getpid() && !processAlive(pid) {
			os.RemoveAll(d)
		}
	}
}

func (b *sandbox) add(name string, enforced bool, detail string) {
	b.status.Guards = append(b.status.Guards, Guard{Name: name, Enforced: enforced, Detail: detail})
}

// newSandbox prepares the work folder and finds out what this machine enforces.
func newSandbox(ctx context.Context, cfg SandboxConfig, pluginDir string) (*sandbox, error) {
	cfg.defaults(pluginDir)
	if cfg.ModelDir != "" {
		abs, err := filepath.Abs(cfg.ModelDir)
		if err != nil {
			return nil, fmt.Errorf("plugin models folder: %w", err)
		}
		cfg.ModelDir = abs
	}
	switch cfg.Filesystem {
	case FSAuto, FSLandlock, FSMount, FSBoth:
	default:
		return nil, fmt.Errorf("plugin sandbox filesystem %q: want auto, landlock, mountns or both", cfg.Filesystem)
	}
	if _, _, err := parseUIDs(cfg.UIDs); err != nil {
		return nil, err
	}
	for _, kv := range cfg.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return nil, fmt.Errorf("plugin environment entry %q is not KEY=VALUE", kv)
		}
	}
	b := &sandbox{cfg: cfg, workDir: cfg.WorkDir}
	if b.workDir == "" {
		removeStaleWorkDirs(os.TempDir())
		d, err := os.MkdirTemp("", workDirPrefix)
		if err == nil {
			// A host killed before Close leaves its folder; the next host removes it (above).
			err = os.WriteFile(filepath.Join(d, hostPIDFile), []byte(strconv.Itoa(os.Getpid())), 0o600)
		}
		if err != nil {
			return nil, fmt.Errorf("plugin sandbox folder: %w", err)
		}
		b.workDir, b.ownsWork = d, true
	} else if err := os.MkdirAll(b.workDir, 0o700); err != nil {
		return nil, fmt.Errorf("plugin sandbox folder: %w", err)
	}
	abs, err := filepath.Abs(b.workDir)
	if err == nil {
		b.workDir = abs
		// The plugins' user (nobody when the kiosk is root) may pass through, not list.
		err = os.Chmod(b.workDir, 0o711)
	}
	if err != nil {
		b.close()
		return nil, fmt.Errorf("plugin sandbox folder: %w", err)
	}
	b.add("environment", true, "empty but for "+strings.Join(b.envNames(), ", "))
	b.add("folder", true, "own working and temporary folder under "+b.workDir+", emptied at every start")
	if cfg.Disable {
		for _, n := range []string{"user", "network", "processes", "filesystem", "limits"} {
			b.add(n, false, "sandbox disabled by configuration")
		}
		return b, nil
	}
	if err := b.setup(ctx, pluginDir); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

// command starts plugin name's verified copy exe: through the launcher when there is one, else
// directly.
func (b *sandbox) command(name, exe, tmp string) (*exec.Cmd, error) {
	id, err := b.plat.userFor(name)
	if err != nil {
		return nil, fmt.Errorf("plugin %q: %w", name, err)
	}
	var cmd *exec.Cmd
	if b.launcher != "" {
		cmd = exec.Command(b.launcher, b.spec(exe, tmp).Args()...)
	} else {
		cmd = exec.Command(exe)
	}
	cmd.Dir, cmd.Env, cmd.SysProcAttr = tmp, b.envFor(tmp), b.plat.sysProcAttr(id)
	if !b.plat.pidNamespace() {
		dieWithHost(cmd)
	}
	return cmd, nil
}
