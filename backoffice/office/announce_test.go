package office

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAnnounceFirstPassword(t *testing.T) {
	const pass = "Zq7-secret-Vv"
	for _, tc := range []struct {
		name     string
		terminal bool
	}{{"terminal", true}, {"journal", false}} {
		t.Run(tc.name, func(t *testing.T) {
			keys := filepath.Join(t.TempDir(), "keys")
			var out bytes.Buffer
			if err := AnnounceFirstPassword(&out, tc.terminal, "ehraz", keys, "demo", pass); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(keys, FirstPasswordFile)
			b, ferr := os.ReadFile(file)
			if tc.terminal {
				if !strings.Contains(out.String(), pass) {
					t.Errorf("terminal message %q lacks the password", out.String())
				}
				if ferr == nil {
					t.Errorf("a terminal start wrote %s", file)
				}
				return
			}
			if strings.Contains(out.String(), pass) {
				t.Errorf("the log line %q holds the password", out.String())
			}
			if !strings.Contains(out.String(), file) {
				t.Errorf("the log line %q does not name %s", out.String(), file)
			}
			if ferr != nil || !bytes.Contains(b, []byte(pass)) {
				t.Fatalf("password file: %v %q", ferr, b)
			}
			if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
				t.Errorf("password file mode %v, want 0600", st.Mode().Perm())
			}
		})
	}
}

func TestIsTerminalRefusesNullAndFiles(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(null) || IsTerminal(f) {
		t.Error("/dev/null or a plain file taken for a terminal")
	}
}
