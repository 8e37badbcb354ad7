package confine

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The mount-namespace tree is built as an unprivileged user (in a user namespace of its own,
// CAP_SYS_ADMIN there only, as the host starts the launcher), with a fresh /proc where the
// kernel allows one and with only the listed /proc files where it refuses one because the
// host's /proc is over-mounted from outside the namespace (systemd's ProtectKernelTunables).
// util-linux unshare and setpriv stand in for the host here, so both cases run on one machine.
func TestMountTreeProc(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("could not verify: over-mounting /proc/sys outside the user namespace needs root")
	}
	for _, c := range []string{"unshare", "setpriv"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skip("could not verify: util-linux", c, "not installed")
		}
	}
	dir, err := os.MkdirTemp("", "ehraz-confine-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	launcher := filepath.Join(dir, "ehraz-sandbox")
	build := exec.Command("go", "build", "-o", launcher, "github.com/ehraz/ehraz/cmd/ehraz-sandbox")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the launcher: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		name      string
		overmount bool
		wantProc  bool
	}{
		{"fresh proc", false, true},
		{"proc over-mounted outside", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, tmp := filepath.Join(dir, tc.name, "root"), filepath.Join(dir, tc.name, "tmp")
			for _, d := range []string{root, tmp} {
				if err := os.MkdirAll(d, 0o777); err != nil {
					t.Fatal(err)
				}
				os.Chmod(d, 0o777)
			}
			os.Chmod(dir, 0o755)
			os.Chmod(filepath.Dir(root), 0o755)
			s := Spec{Exec: launcher, Probe: true, FS: FSMount, Root: root,
				ReadOnly: []string{"/usr", "/lib", "/lib64", "/proc/cpuinfo", "/dev/null"}, ReadWrite: []string{tmp}}
			inner := append([]string{"unshare", "--user", "--map-user=65534", "--map-group=65534", "--mount", "--pid", "--fork",
				"--keep-caps", "--propagation", "private",
				// Only CAP_SYS_ADMIN survives into the launcher, as when the host starts it.
				"setpriv", "--inh-caps=-all,+sys_admin", "--ambient-caps=-all,+sys_admin", launcher}, s.Args()...)
			script := `exec "$@"`
			if tc.overmount {
				script = `mount --bind -o ro /proc/sys /proc/sys && exec "$@"`
			}
			cmd := exec.Command("unshare", append([]string{"--mount", "--propagation", "private", "sh", "-c", script, "sh"}, inner...)...)
			cmd.Dir = tmp
			out, err := cmd.Output()
			if err != nil {
				var stderr string
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = string(ee.Stderr)
				}
				if strings.Contains(stderr, "unrecognized option") {
					t.Skip("could not verify: this util-linux lacks an option used here:", stderr)
				}
				t.Fatalf("launcher: %v %s", err, stderr)
			}
			var r Report
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatalf("report %q: %v", out, err)
			}
			if !r.Mount || r.Proc != tc.wantProc || r.UID != 65534 {
				t.Fatalf("report %+v; want the tree built as uid 65534, fresh /proc %v", r, tc.wantProc)
			}
		})
	}
}
