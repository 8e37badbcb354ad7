package detect

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// A host killed before Close leaves its work folder (copies of every plugin binary); the next
// host removes the folders of hosts that are gone, and only those.
func TestStaleWorkDirsRemoved(t *testing.T) {
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip(err)
	}
	tmp := t.TempDir()
	dirs := map[string]string{ // folder → host.pid ("" for none)
		"ehraz-plugins-dead":  strconv.Itoa(dead.Process.Pid),
		"ehraz-plugins-alive": strconv.Itoa(os.Getpid()),
		"ehraz-plugins-nopid": "",
		"other-dead":          strconv.Itoa(dead.Process.Pid),
	}
	for d, pid := range dirs {
		os.MkdirAll(filepath.Join(tmp, d, "face", "bin"), 0o755)
		if pid != "" {
			os.WriteFile(filepath.Join(tmp, d, hostPIDFile), []byte(pid), 0o600)
		}
	}
	removeStaleWorkDirs(tmp)
	for d := range dirs {
		_, err := os.Stat(filepath.Join(tmp, d))
		if gone := err != nil; gone != (d == "ehraz-plugins-dead") {
			t.Errorf("%s: removed %v", d, gone)
		}
	}
}
