package confine

import (
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/landlock-lsm/go-landlock/landlock"
	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
)

const (
	readFile = landlock.AccessFSSet(ll.AccessFSReadFile)
	readDir  = landlock.AccessFSSet(ll.AccessFSReadDir)
	execute  = landlock.AccessFSSet(ll.AccessFSExecute)
	// write is everything a plugin may do in its own folder: create, change and remove files and
	// folders and its go-plugin socket; not execute what it wrote, not make device nodes.
	write = landlock.AccessFSSet(ll.AccessFSWriteFile | ll.AccessFSRemoveDir | ll.AccessFSRemoveFile |
		ll.AccessFSMakeDir | ll.AccessFSMakeReg | ll.AccessFSMakeSock | ll.AccessFSMakeFifo |
		ll.AccessFSMakeSym | ll.AccessFSTruncate)
)

// Run confines the current process as s says and then executes s.Exec with env (never returning
// on success), or in probe mode prints a Report to out and returns nil. Landlock is best effort
// over the kernel's ABI: what the kernel lacks is named in the Report, never hidden; Run fails
// only when something the kernel offers could not be applied.
func Run(s Spec, env []string, out io.Writer) error {
	// One thread from here on: the Landlock domain and limits are inherited by the exec.
	runtime.LockOSThread()
	if s.DieWithParent {
		if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0, 0, 0); err != nil {
			return fmt.Errorf("parent-death signal: %w", err)
		}
	}
	var r Report
	r.UID = os.Getuid()
	r.NetNS, _ = os.Readlink("/proc/self/ns/net")
	r.PIDNS, _ = os.Readlink("/proc/self/ns/pid")
	r.UserNS, _ = os.Readlink("/proc/self/ns/user")
	// The tree first: Landlock forbids changing the mount topology once applied.
	if s.FS == FSMount || s.FS == FSBoth {
		proc, err := buildRoot(s)
		if err != nil {
			return fmt.Errorf("mount namespace: %w", err)
		}
		r.Mount, r.Proc = true, proc
	}
	if err := dropCapabilities(); err != nil {
		return err
	}
	if err := setLimits(s); err != nil {
		return err
	}
	abi, err := ll.LandlockGetABIVersion()
	if err != nil || abi < 1 {
		r.Landlock = "kernel has no Landlock (needs Linux 5.13+ with CONFIG_SECURITY_LANDLOCK and landlock in the lsm= list)"
		if err != nil {
			r.Landlock += ": " + err.Error()
		}
	} else {
		r.LandlockABI = abi
		if s.FS == FSMount {
			r.Landlock = "not applied: mount namespace chosen"
		} else if err := restrict(s); err != nil {
			return fmt.Errorf("landlock: %w", err)
		}
	}
	if s.Probe {
		return json.NewEncoder(out).Encode(r)
	}
	if r.Landlock != "" && !r.Mount {
		fmt.Fprintln(os.Stderr, "ehraz-sandbox: WARNING file-system access NOT restricted:", r.Landlock)
	}
	err = syscall.Exec(s.Exec, []string{s.Exec}, env)
	return fmt.Errorf("exec %s: %w", s.Exec, err)
}

// setLimits lowers soft and hard limits together, so the plugin cannot raise them again (Go
// raises its soft open-file limit to the hard one at start-up).
func setLimits(s Spec) error {
	for _, l := range []struct {
		name     string
		resource int
		value    uint64
	}{
		{"address space", unix.RLIMIT_AS, s.MemoryBytes},
		{"CPU time", unix.RLIMIT_CPU, s.CPUSeconds},
		{"open files", unix.RLIMIT_NOFILE, s.OpenFiles},
		{"processes", unix.RLIMIT_NPROC, s.Processes},
	} {
		if l.value == 0 {
			continue
		}
		// syscall.Setrlimit, not unix's: it also stops Go restoring the original open-file
		// limit for the exec'd plugin.
		if err := syscall.Setrlimit(l.resource, &syscall.Rlimit{Cur: l.value, Max: l.value}); err != nil {
			return fmt.Errorf("limit %s to %d: %w", l.name, l.value, err)
		}
	}
	return nil
}

// restrict applies Landlock: read-only paths, read-write folders, the one executable; no TCP
// bind or connect (ABI 4+), no signals or abstract sockets outside the sandbox (ABI 6+).
func restrict(s Spec) error {
	rules := []landlock.Rule{landlock.PathAccess(execute|readFile, s.Exec)}
	// A dynamically linked plugin (cgo) also executes its ELF interpreter (the kernel opens it
	// for exec); only that file, not the library folders.
	if interp, err := interpreter(s.Exec); err != nil {
		return err
	} else if interp != "" {
		rules = append(rules, landlock.PathAccess(execute|readFile, interp))
	}
	for _, p := range s.ReadOnly {
		fi, err := os.Stat(p)
		switch {
		case errors.Is(err, os.ErrNotExist):
			continue // a system folder this distribution does not have
		case err != nil:
			return fmt.Errorf("read-only path %s: %w", p, err)
		case fi.IsDir():
			rules = append(rules, landlock.PathAccess(readFile|readDir, p))
		default:
			rules = append(rules, landlock.PathAccess(readFile, p))
		}
	}
	for _, p := range s.ReadWrite {
		rules = append(rules, landlock.PathAccess(readFile|readDir|write, p))
	}
	return landlock.V11.BestEffort().Restrict(rules...)
}

// interpreter is the ELF interpreter (PT_INTERP) of the binary at path, "" for a static binary.
func interpreter(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("read plugin binary %s: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		b, err := io.ReadAll(p.Open())
		if err != nil {
			return "", fmt.Errorf("read interpreter of %s: %w", path, err)
		}
		return filepath.EvalSymlinks(strings.TrimRight(string(b), "\x00"))
	}
	return "", nil
}
