package detect

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
)

const hostHelperEnv = "EHRAZ_DETECT_HOST_HELPER_DIR"

// TestHelperHostProcess is not a test: TestPluginsDieWithTheHost runs the test binary as a kiosk
// stand-in that starts the plugins of a folder, prints their PIDs and waits to be killed.
func TestHelperHostProcess(t *testing.T) {
	dir := os.Getenv(hostHelperEnv)
	if dir == "" {
		t.Skip("helper process for TestPluginsDieWithTheHost")
	}
	h, err := Open(context.Background(), Config{Dir: dir})
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
// (issue 18: they were found alive 34 minutes later, holding their models in memory).
func TestPluginsDieWithTheHost(t *testing.T) {
	dir := t.TempDir()
	install(t, dir, "good", "face", sdk.KindFace)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHostProcess$")
	cmd.Env = append(os.Environ(), hostHelperEnv+"="+dir)
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
