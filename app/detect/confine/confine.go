// Package confine is the launcher's half of the detector plugin sandbox. Landlock can only be
// applied by a process to itself, so the host (app/detect) does not start a plugin directly: it
// starts the small launcher cmd/ehraz-sandbox with a Spec as arguments, already inside the
// namespaces, user and environment the host chose; the launcher lowers its resource limits,
// restricts itself with Landlock and then replaces itself with the plugin, which inherits all of
// it. In probe mode the launcher applies the same and prints a Report instead, so the host
// learns what this kernel actually enforces before it trusts it.
package confine

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
)

// Spec is what one plugin process is confined to.
type Spec struct {
	Exec      string   // the plugin binary: the only file the plugin may execute
	ReadOnly  []string // files and folders it may read (models, system libraries)
	ReadWrite []string // folders it may read and write (its own temporary folder)
	// Resource limits, each 0 for "leave as inherited".
	MemoryBytes uint64 // RLIMIT_AS: address space
	CPUSeconds  uint64 // RLIMIT_CPU: CPU time over the process's life (SIGKILL at the limit)
	OpenFiles   uint64 // RLIMIT_NOFILE
	Processes   uint64 // RLIMIT_NPROC: processes and threads of its user (in its user namespace)
	// DieWithParent arms the parent-death signal (SIGKILL) in the launcher itself: the host
	// cannot ask for it at fork when the plugin gets its own PID namespace (Go's check that the
	// parent is still alive sees parent PID 0 there and kills the child).
	DieWithParent bool
	Probe         bool // apply everything, print a Report on stdout and exit instead of exec
	// FS is how file-system access is confined: FSLandlock (also ""), FSMount or FSBoth.
	FS string
	// Root is an empty folder the launcher mounts the plugin's minimal tree on (FSMount, FSBoth).
	Root string
}

// File-system confinements (Spec.FS).
const (
	// FSLandlock: Landlock rules over the real tree (Linux 5.13+).
	FSLandlock = "landlock"
	// FSMount: a mount namespace holding only the allowed paths, pivoted into; for kernels
	// without Landlock. The launcher must be started in new user and mount namespaces with
	// CAP_SYS_ADMIN there (ambient), which it drops before it becomes the plugin.
	FSMount = "mountns"
	// FSBoth: the mount namespace, and Landlock inside it.
	FSBoth = "both"
)

// Report is what the launcher found in effect, printed as one JSON line in probe mode.
type Report struct {
	LandlockABI int    `json:"landlock_abi"` // 0: the kernel has no Landlock
	Landlock    string `json:"landlock"`     // "" when applied, else why not
	Limits      string `json:"limits"`       // "" when applied, else why not
	UID         int    `json:"uid"`
	NetNS       string `json:"netns"` // readlink /proc/self/ns/net, compared by the host with its own
	PIDNS       string `json:"pidns"`
	UserNS      string `json:"userns"`
	// Mount: the plugin's root is the minimal tree (the old root detached).
	Mount bool `json:"mount"`
	// Proc: the tree has a fresh /proc of the plugin's PID namespace (else only the /proc files
	// listed read-only are bound: the kernel refuses a new proc where the host's is over-mounted).
	Proc bool `json:"proc"`
}

// LandlockApplied reports whether Landlock rules are in force (not only offered by the kernel).
func (r Report) LandlockApplied() bool { return r.LandlockABI > 0 && r.Landlock == "" }

// list is a repeatable flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// Args encodes s as the launcher's command line (everything after the program name).
func (s Spec) Args() []string {
	var a []string
	for _, p := range s.ReadOnly {
		a = append(a, "-ro", p)
	}
	for _, p := range s.ReadWrite {
		a = append(a, "-rw", p)
	}
	num := func(name string, v uint64) {
		if v > 0 {
			a = append(a, "-"+name, strconv.FormatUint(v, 10))
		}
	}
	num("as", s.MemoryBytes)
	num("cpu", s.CPUSeconds)
	num("nofile", s.OpenFiles)
	num("nproc", s.Processes)
	if s.DieWithParent {
		a = append(a, "-pdeathsig")
	}
	if s.Probe {
		a = append(a, "-probe")
	}
	if s.FS != "" && s.FS != FSLandlock {
		a = append(a, "-fs", s.FS)
	}
	if s.Root != "" {
		a = append(a, "-root", s.Root)
	}
	return append(a, "--", s.Exec)
}

// Parse reads a command line written by Args.
func Parse(args []string) (Spec, error) {
	var s Spec
	fs := flag.NewFlagSet("ehraz-sandbox", flag.ContinueOnError)
	fs.Var((*list)(&s.ReadOnly), "ro", "file or folder the plugin may read (repeatable)")
	fs.Var((*list)(&s.ReadWrite), "rw", "folder the plugin may read and write (repeatable)")
	fs.Uint64Var(&s.MemoryBytes, "as", 0, "address-space limit in bytes")
	fs.Uint64Var(&s.CPUSeconds, "cpu", 0, "CPU-time limit in seconds")
	fs.Uint64Var(&s.OpenFiles, "nofile", 0, "open-file limit")
	fs.Uint64Var(&s.Processes, "nproc", 0, "process (and thread) limit")
	fs.BoolVar(&s.DieWithParent, "pdeathsig", false, "SIGKILL when the parent thread dies")
	fs.BoolVar(&s.Probe, "probe", false, "report what is enforced instead of starting the plugin")
	fs.StringVar(&s.FS, "fs", "", "file-system confinement: landlock (default), mountns or both")
	fs.StringVar(&s.Root, "root", "", "empty folder for the mount namespace's new root")
	if err := fs.Parse(args); err != nil {
		return Spec{}, err
	}
	switch s.FS {
	case "", FSLandlock, FSMount, FSBoth:
	default:
		return Spec{}, fmt.Errorf("-fs %q: want landlock, mountns or both", s.FS)
	}
	if s.FS == FSLandlock {
		s.FS = ""
	}
	if fs.NArg() != 1 || fs.Arg(0) == "" {
		return Spec{}, errors.New("want exactly one plugin binary after the flags")
	}
	s.Exec = fs.Arg(0)
	return s, nil
}

// String is a short description for logs.
func (r Report) String() string {
	return fmt.Sprintf("landlock ABI %d %q, mount namespace %v, limits %q, uid %d", r.LandlockABI, r.Landlock, r.Mount, r.Limits, r.UID)
}
