package confine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// statfs(2) f_flags (ST_*), which x/sys does not name for Linux.
const (
	stRdonly     = 0x1
	stNodev      = 0x4
	stNoexec     = 0x8
	stNoatime    = 0x400
	stNodiratime = 0x800
	stRelatime   = 0x1000
)

// buildRoot is the file-system confinement for kernels without Landlock: the launcher was
// started in a mount namespace of its own (inside a user namespace, so it holds CAP_SYS_ADMIN
// over that namespace only); it builds a minimal tree on a tmpfs at s.Root holding, at their
// own paths, only the plugin binary and s.ReadOnly (read-only, bind mounts) and s.ReadWrite
// (read-write, no exec), a fresh /proc of its PID namespace, and pivots into it. The old root is
// detached, so the store key, the data folder and other sessions' media are simply not there.
func buildRoot(s Spec) (freshProc bool, err error) {
	if s.Root == "" || !filepath.IsAbs(s.Root) {
		return false, fmt.Errorf("mount namespace: need an absolute empty folder for the new root, got %q", s.Root)
	}
	cwd, err := os.Getwd()
	if err != nil {
		return false, fmt.Errorf("working folder: %w", err)
	}
	// Nothing mounted from here on propagates back to the host's namespace.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return false, fmt.Errorf("make / private: %w", err)
	}
	root := s.Root
	if err := unix.Mount("tmpfs", root, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755,size=1m,nr_inodes=4096"); err != nil {
		return false, fmt.Errorf("tmpfs on %s: %w", root, err)
	}
	// A fresh /proc shows only the plugin's own PID namespace. Some kernels refuse it in a user
	// namespace (an over-mounted /proc on the host); then only the /proc files listed are bound.
	if err := os.Mkdir(filepath.Join(root, "proc"), 0o755); err != nil { // writable: /proc files may be bound into it
		return false, fmt.Errorf("new root: %w", err)
	}
	if err := unix.Mount("proc", filepath.Join(root, "proc"), "proc",
		unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC|unix.MS_RDONLY, ""); err == nil {
		freshProc = true
	}
	for _, p := range s.ReadOnly {
		if freshProc && (p == "/proc" || strings.HasPrefix(p, "/proc/")) {
			continue
		}
		if err := bindInto(root, p, true, false); err != nil {
			return false, err
		}
	}
	if err := bindInto(root, s.Exec, true, false); err != nil {
		return false, err
	}
	for _, p := range s.ReadWrite {
		if err := bindInto(root, p, false, true); err != nil {
			return false, err
		}
	}
	// The tree itself is read-only: the plugin cannot add files at / or beside its mounts.
	if err := unix.Mount("", root, "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV, ""); err != nil {
		return false, fmt.Errorf("new root read-only: %w", err)
	}
	if err := unix.Chdir(root); err != nil {
		return false, fmt.Errorf("enter new root: %w", err)
	}
	// pivot_root(".", "."): the old root is stacked on the new one and then detached whole.
	if err := unix.PivotRoot(".", "."); err != nil {
		return false, fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return false, fmt.Errorf("detach old root: %w", err)
	}
	if err := unix.Chdir("/"); err != nil {
		return false, fmt.Errorf("chdir /: %w", err)
	}
	// A check that would fail if the old root were still reachable.
	if _, err := os.Stat("/etc/passwd"); !errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("old root still visible after pivot_root (/etc/passwd: %v)", err)
	}
	if err := unix.Chdir(cwd); err != nil {
		return false, fmt.Errorf("working folder %s inside the new root: %w", cwd, err)
	}
	return freshProc, nil
}

// bindInto makes path (file or folder) appear at the same path under root: a bind mount,
// read-only or read-write, never set-uid, devices only for a device node itself, no exec in a
// read-write folder. A symbolic link is copied as a link (merged-/usr /lib, /lib64); a path this
// system lacks is left out, as Landlock's rules leave it out.
func bindInto(root, path string, readOnly, noExec bool) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("bind %s: %w", path, err)
	}
	target := filepath.Join(root, path)
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("bind %s: %w", path, err)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		link, err := os.Readlink(path)
		if err == nil {
			err = os.Symlink(link, target)
		}
		if err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("link %s: %w", path, err)
		}
		return nil
	}
	if fi.IsDir() {
		err = os.Mkdir(target, 0o755)
	} else {
		var f *os.File
		if f, err = os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644); err == nil {
			f.Close()
		}
	}
	if err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("bind %s: mount point: %w", path, err)
	}
	if err := unix.Mount(path, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s: %w", path, err)
	}
	// A bind mount takes its flags from the source; they are set with a remount, which in a
	// user namespace must keep the source's locked flags (nosuid, nodev, noexec, atime).
	var st unix.Statfs_t
	if err := unix.Statfs(target, &st); err != nil {
		return fmt.Errorf("bind %s: statfs: %w", path, err)
	}
	flags := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_NOSUID)
	for _, f := range []struct{ st, ms uintptr }{
		{stRdonly, unix.MS_RDONLY}, {stNodev, unix.MS_NODEV}, {stNoexec, unix.MS_NOEXEC},
		{stNoatime, unix.MS_NOATIME}, {stNodiratime, unix.MS_NODIRATIME}, {stRelatime, unix.MS_RELATIME},
	} {
		if uintptr(st.Flags)&f.st != 0 {
			flags |= f.ms
		}
	}
	if uintptr(st.Flags)&(stNoatime|stRelatime) == 0 {
		flags |= unix.MS_STRICTATIME
	}
	if readOnly {
		flags |= unix.MS_RDONLY
	}
	if noExec {
		flags |= unix.MS_NOEXEC
	}
	if fi.Mode()&os.ModeDevice == 0 {
		flags |= unix.MS_NODEV
	}
	if err := unix.Mount("", target, "", flags, ""); err != nil {
		return fmt.Errorf("bind %s: remount (flags %#x): %w", path, flags, err)
	}
	return nil
}

// dropCapabilities leaves the launcher (and so the plugin it becomes) without any capability,
// ambient or otherwise, and unable to gain one by exec: the mount namespace's CAP_SYS_ADMIN was
// only for building the tree.
func dropCapabilities() error {
	// EINVAL: a kernel before 4.3 has no ambient set, so nothing to clear.
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("drop capabilities: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("no_new_privs: %w", err)
	}
	return nil
}
