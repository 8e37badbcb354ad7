package secrets

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadOrCreateKeyKeepsTheFirstKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "k.key")
	k1, err := LoadOrCreateKey(path)
	if err != nil || len(k1) != 32 {
		t.Fatalf("create: %d bytes, %v", len(k1), err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v (err %v), want 0600", st.Mode().Perm(), err)
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil || string(k1) != string(k2) {
		t.Fatalf("second load gave another key (err %v)", err)
	}
	if err := os.WriteFile(path, []byte("abcd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(path); err == nil {
		t.Error("a short key was accepted")
	}
	tok, err := LoadOrCreateToken(filepath.Join(t.TempDir(), "t.token"))
	if err != nil || len(tok) != 48 {
		t.Errorf("token %q, %v", tok, err)
	}
}

func TestSecretFromEnvThenFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s")
	if err := os.WriteFile(file, []byte(" from-file \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EHRAZ_TEST_SECRET", "")
	if s, err := Secret("EHRAZ_TEST_SECRET", file); err != nil || s != "from-file" {
		t.Errorf("file: %q %v", s, err)
	}
	t.Setenv("EHRAZ_TEST_SECRET", "from-env")
	if s, err := Secret("EHRAZ_TEST_SECRET", file); err != nil || s != "from-env" {
		t.Errorf("env: %q %v", s, err)
	}
	t.Setenv("EHRAZ_TEST_SECRET", "")
	if _, err := Secret("EHRAZ_TEST_SECRET", ""); err == nil {
		t.Error("a missing secret was accepted")
	}
}
