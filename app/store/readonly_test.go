package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/ehraz/ehraz/app/flow"
)

// roChildEnv makes the test binary act as the unprivileged child of TestReadOnlyDataFolder.
const roChildEnv = "EHRAZ_STORE_RO_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(roChildEnv); dir != "" {
		os.Exit(roChild(dir))
	}
	os.Exit(m.Run())
}

// roChild opens the store in dir and exits 0 only for a clean ErrReadOnly.
func roChild(dir string) int {
	_, err := Open(context.Background(), Options{Path: filepath.Join(dir, "ehraz.db"), KeyFile: filepath.Join(dir, "keys", "store.key")})
	fmt.Println(err)
	if errors.Is(err, ErrReadOnly) {
		return 0
	}
	return 3
}

// A read-only data folder gives a clear error and leaves the database as it was. Root ignores
// permissions, so as root the Open runs in a child process under uid/gid 65534.
func TestReadOnlyDataFolder(t *testing.T) {
	ctx := context.Background()
	t.Setenv(KeyEnv, "")
	base, err := os.MkdirTemp("", "ehraz-ro-")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "data")
	t.Cleanup(func() {
		os.Chmod(dir, 0o700)
		os.RemoveAll(base)
	})
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, Options{Path: filepath.Join(dir, "ehraz.db"), KeyFile: filepath.Join(dir, "keys", "store.key")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, fullRecord("ro-1"), ev("start", "", flow.StepMobile, t0)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before := fileSum(t, filepath.Join(dir, "ehraz.db"))
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{dir, filepath.Join(dir, "new-subfolder")} {
		t.Run(filepath.Base(target), func(t *testing.T) {
			if os.Geteuid() != 0 {
				_, err := Open(ctx, Options{Path: filepath.Join(target, "ehraz.db"), KeyFile: filepath.Join(target, "keys", "store.key")})
				if !errors.Is(err, ErrReadOnly) {
					t.Fatalf("Open in a read-only folder: %v, want ErrReadOnly", err)
				}
				t.Logf("error: %v", err)
				return
			}
			exe := filepath.Join(base, "store.test")
			if _, err := os.Stat(exe); err != nil {
				copyFile(t, os.Args[0], exe)
			}
			cmd := exec.Command(exe)
			cmd.Env = append(os.Environ(), roChildEnv+"="+target, KeyEnv+"=")
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				t.Skipf("cannot run the test binary as uid 65534 here (noexec /tmp?): %v", err)
			}
			if err != nil {
				t.Fatalf("Open as uid 65534 in a read-only folder: %v: %s", err, out)
			}
			t.Logf("error: %s", out)
		})
	}
	os.Chmod(dir, 0o700)
	if after := fileSum(t, filepath.Join(dir, "ehraz.db")); after != before {
		t.Error("the database changed")
	}
	checkFile(t, filepath.Join(dir, "ehraz.db"))
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
