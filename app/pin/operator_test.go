package pin

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	seen := map[string]bool{}
	for range 20 {
		p, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(p) {
			t.Fatalf("generated %q, want 6 digits", p)
		}
		if _, err := Normalize(p); err != nil {
			t.Fatalf("generated %q is not a valid PIN: %v", p, err)
		}
		seen[p] = true
	}
	if len(seen) < 15 {
		t.Errorf("20 PINs gave only %d different ones", len(seen))
	}
}

// The first start generates a PIN, shows it once and keeps only its hash; later starts read the
// hash; a configured hash wins and nothing is written.
func TestOperatorPIN(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys")
	var out bytes.Buffer
	hash, err := Operator("", keys, &out)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`: ([0-9]{6})\n$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("the new PIN was not shown: %q", out.String())
	}
	if !Check(hash, m[1]) {
		t.Error("the hash does not check the PIN shown")
	}
	b, err := os.ReadFile(filepath.Join(keys, FileName))
	if err != nil || strings.TrimSpace(string(b)) != hash {
		t.Fatalf("stored %q (err %v), want the hash", b, err)
	}
	if strings.Contains(string(b), m[1]) {
		t.Error("the PIN is stored in clear")
	}
	if st, err := os.Stat(filepath.Join(keys, FileName)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("hash file mode %v (err %v), want 0600", st.Mode().Perm(), err)
	}

	out.Reset()
	again, err := Operator("", keys, &out)
	if err != nil || again != hash || out.Len() != 0 {
		t.Errorf("second start: %q %v, printed %q; want the stored hash, silently", again, err, out.String())
	}

	other := filepath.Join(t.TempDir(), "keys")
	got, err := Operator("configured-hash", other, &out)
	if err != nil || got != "configured-hash" || out.Len() != 0 {
		t.Errorf("configured: %q %v, printed %q", got, err, out.String())
	}
	if _, err := os.Stat(filepath.Join(other, FileName)); !os.IsNotExist(err) {
		t.Errorf("a configured hash wrote a file (stat %v)", err)
	}
}
