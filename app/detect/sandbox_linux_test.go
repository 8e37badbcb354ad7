package detect

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Each plugin gets a uid of its own from the range, the same one again on a restart, never one
// with an account (65534 is nobody on Debian), and a clear error once the range is used up.
func TestUserForAllocatesFromRange(t *testing.T) {
	if !accountExists(65534) || accountExists(65533) || accountExists(65535) {
		t.Skip("this system's accounts differ from Debian's around nobody (65534)")
	}
	p := &platform{root: true, first: 65533, end: 65536, next: 65533, byName: map[string]ident{}}
	for _, tc := range []struct {
		name    string
		want    int
		wantErr bool
	}{
		{"face", 65533, false},
		{"liveness", 65535, false}, // 65534 skipped: nobody
		{"face", 65533, false},     // restarted: the same user
		{"signature", 0, true},     // range used up
		{"liveness", 65535, false},
	} {
		id, err := p.userFor(tc.name)
		if (err != nil) != tc.wantErr || (!tc.wantErr && (id.uid != tc.want || id.gid != tc.want)) {
			t.Errorf("userFor(%q) = %+v, %v; want uid %d, error %v", tc.name, id, err, tc.want, tc.wantErr)
		}
	}
	shared := &platform{root: true, shared: &ident{64000, 64001}}
	if a, _ := shared.userFor("a"); a != (ident{64000, 64001}) {
		t.Errorf("shared user: %+v", a)
	}
	if a, _ := (&platform{host: ident{1000, 1000}}).userFor("a"); a != (ident{1000, 1000}) {
		t.Errorf("non-root host: %+v; want its own user", a)
	}
}

// The mount-namespace fallback starts the launcher in new user and mount namespaces (root too)
// with CAP_SYS_ADMIN as its only ambient capability; without it, no mount namespace and no
// capability at all.
func TestSysProcAttrMountNamespace(t *testing.T) {
	id := ident{64001, 64001}
	for _, tc := range []struct {
		name             string
		p                *platform
		userNS, mountNS  bool
		setgroups, creds bool
	}{
		{"root landlock", &platform{root: true, namespaces: true}, false, false, false, true},
		{"root mountns", &platform{root: true, namespaces: true, mount: true}, true, true, true, true},
		{"user landlock", &platform{namespaces: true}, true, false, false, false},
		{"user mountns", &platform{namespaces: true, mount: true}, true, true, false, false},
		{"no namespaces", &platform{}, false, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.p.sysProcAttr(id)
			if got := a.Cloneflags&syscall.CLONE_NEWUSER != 0; got != tc.userNS {
				t.Errorf("user namespace %v; want %v", got, tc.userNS)
			}
			if got := a.Cloneflags&syscall.CLONE_NEWNS != 0; got != tc.mountNS {
				t.Errorf("mount namespace %v; want %v", got, tc.mountNS)
			}
			if got := len(a.AmbientCaps) > 0; got != tc.mountNS {
				t.Errorf("ambient capabilities %v; want only with the mount namespace", a.AmbientCaps)
			}
			if a.GidMappingsEnableSetgroups != tc.setgroups || (a.Credential != nil) != tc.creds {
				t.Errorf("setgroups %v, credential %+v", a.GidMappingsEnableSetgroups, a.Credential)
			}
			if tc.userNS && (len(a.UidMappings) != 1 || a.UidMappings[0].ContainerID != id.uid || a.UidMappings[0].HostID != id.uid) {
				t.Errorf("uid map %+v; want the plugin's uid mapped to itself only", a.UidMappings)
			}
		})
	}
}

func TestParseUIDs(t *testing.T) {
	for _, tc := range []struct {
		in           string
		first, count int
	}{{"65600-65699", 65600, 100}, {" 2000 - 2000 ", 2000, 1}, {"0-10", 0, 0}, {"5000", 0, 0}, {"6000-5000", 0, 0}, {"a-b", 0, 0}} {
		f, c, err := parseUIDs(tc.in)
		if (err != nil) != (tc.count == 0) || f != tc.first || c != tc.count {
			t.Errorf("parseUIDs(%q) = %d, %d, %v", tc.in, f, c, err)
		}
		if err != nil && !strings.Contains(err.Error(), "unprivileged") {
			t.Errorf("error %v", err)
		}
	}
}

// The launcher's own cost per plugin start under each file-system confinement: one probe is
// the start of a confined process that applies everything and exits (namespaces, limits,
// Landlock or the mount tree and pivot_root) without a plugin's own start-up.
//
//	go test ./app/detect -run '^$' -bench SandboxLaunch -benchtime 50x
func BenchmarkSandboxLaunch(b *testing.B) {
	for _, fs := range []string{"direct", FSLandlock, FSMount, FSBoth} {
		b.Run(fs, func(b *testing.B) {
			cfg := SandboxConfig{Launcher: filepath.Join(fixtureBin, launcherName), Filesystem: fs, UIDs: "64980-64989"}
			if fs == "direct" {
				cfg = SandboxConfig{Disable: true}
			}
			box, err := newSandbox(context.Background(), cfg, b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer box.close()
			if fs != "direct" && (box.fs != fs || box.launcher == "") {
				b.Fatalf("sandbox chose %q (launcher %q); want %s: %s", box.fs, box.launcher, fs, box.status)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if fs == "direct" {
					// The same Go binary started and ended unconfined (it refuses an empty command
					// line), for the difference.
					err := exec.Command(filepath.Join(fixtureBin, launcherName)).Run()
					var exit *exec.ExitError
					if !errors.As(err, &exit) || exit.ExitCode() != 2 {
						b.Fatal(err)
					}
					continue
				}
				if _, err := box.probe(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
