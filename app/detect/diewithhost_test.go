package detect

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/transport"
)

const (
	hostHelperEnv = "EHRAZ_DETECT_HOST_HELPER_DIR"
	// noSignalEnv makes the helper start its plugins without the parent-death signal.
	noSignalEnv = "EHRAZ_DETECT_HOST_HELPER_NO_PDEATHSIG"
)

// TestHelperHostProcess is not a test: TestPluginsDieWithTheHost runs the test binary as a kiosk
// stand-in that starts the plugins of a folder, prints their PIDs and waits to be killed.
func TestHelperHostProcess(t *testing.T) {
	dir := os.Getenv(hostHelperEnv)
	if dir == "" {
		t.Skip("helper process for TestPluginsDieWithTheHost")
	}
	cfg := sandboxed(Config{Dir: dir})
	if os.Getenv(noSignalEnv) != "" {
		parentDeathSignal = false
		// In its own PID namespace a plugin sees no parent to watch (its parent PID is 0):
		// the watch is for hosts without the sandbox, so this case runs without it.
		cfg.Sandbox.Disable = true
	}
	h, err := Open(context.Background(), cfg)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	for _, x := range h.Health() {
		fmt.Println("pid", x.PID)
	}
	fmt.Println("ready")
	time.Sleep(time.Hour)
}

// A kiosk killed by a signal it cannot handle must not leave its detector processes behind
// (issue 18: they were found alive 34 minutes later, holding their models in memory). Each of
// the two mechanisms is enough: the parent-death signal (Linux) and the plugin's own watch on
// its parent, shown alone by a host that does not arm the signal.
func TestPluginsDieWithTheHost(t *testing.T) {
	t.Run("signal and watch", func(t *testing.T) { killHostAndWatchPlugin(t) })
	t.Run("plugin's watch alone", func(t *testing.T) { killHostAndWatchPlugin(t, noSignalEnv+"=1") })
}

func killHostAndWatchPlugin(t *testing.T, env ...string) {
	dir := t.TempDir()
	install(t, dir, "good", "face", sdk.KindFace)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHostProcess$")
	cmd.Env = append(append(os.Environ(), hostHelperEnv+"="+dir), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pids []int
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if line == "ready" {
			break
		}
		var pid int
		if _, err := fmt.Sscanf(line, "pid %d", &pid); err == nil && pid > 0 {
			pids = append(pids, pid)
		} else if strings.HasPrefix(line, "error") {
			t.Fatal(line)
		}
	}
	if len(pids) != 1 {
		cmd.Process.Kill()
		t.Fatalf("helper reported plugin PIDs %v, want one", pids)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for alive(pids[0]) {
		if time.Now().After(deadline) {
			syscall.Kill(pids[0], syscall.SIGKILL)
			t.Fatalf("plugin process %d still running 10 s after its host was killed", pids[0])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// alive reports whether pid is a running process (a zombie waiting for init counts as gone).
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) == 0 || f[0] != "Z"
}

// The parent-death signal fires when the OS thread that started a plugin exits, not only the
// process. A host opened from a goroutine locked to its thread (which Go ends with the goroutine)
// must not lose its plugins with that thread: they are started from the host's own thread.
func TestPluginsOutliveTheThreadThatOpenedTheHost(t *testing.T) {
	dir := t.TempDir()
	install(t, dir, "good", "face", sdk.KindFace)
	opened := make(chan *Host)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
		if os.Getenv(noSignalEnv) != "" {
			parentDeathSignal = false
		}
		h, err := Open(context.Background(), sandboxed(Config{Dir: dir}))
		if err != nil {
			t.Error(err)
		}
		opened <- h
	}()
	h := <-opened
	if h == nil {
		t.FailNow()
	}
	defer h.Close()
	pid := h.Health()[0].PID
	if pid == 0 {
		t.Fatalf("plugin not running: %+v", h.Health())
	}
	time.Sleep(time.Second)
	if !alive(pid) {
		t.Fatalf("plugin %d was killed when the thread that opened the host ended", pid)
	}
	if hl := h.Health()[0]; hl.PID != pid || hl.Restarts != 0 {
		t.Errorf("plugin restarted: %+v", hl)
	}
}

// A plugin whose host died before the plugin could look at its parent (adopted by init from
// the start) exits too: the host's PID it was given is not its parent.
func TestPluginOrphanedBeforeItStartsExits(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	// The outer shell stands for the host: it starts a child that waits until the shell is gone,
	// then becomes the plugin, and exits at once.
	script := `export EHRAZ_PLUGIN_HOST_PID=$$; (sleep 0.3; exec "$0" </dev/null >/dev/null 2>&1) & echo $! >"$1"`
	cmd := exec.Command("/bin/sh", "-c", script, filepath.Join(fixtureBin, "good"), pidFile)
	cmd.Env = append(os.Environ(), transport.Handshake.MagicCookieKey+"="+transport.Handshake.MagicCookieValue)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the plugin has started by now
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("plugin %d, orphaned before it started, still running", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
