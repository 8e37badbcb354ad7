package pin

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, c := range []struct {
		in, want string
		err      error
	}{
		{"1357", "1357", nil},
		{"۱۳۵۷۹", "13579", nil},  // Persian digits
		{"١٣٥٧", "1357", nil},    // Arabic digits
		{" 12 34 ", "1234", nil}, // spaces dropped
		{"123", "", ErrInvalid},
		{"1234567890123", "", ErrInvalid},
		{"12a4", "", ErrInvalid},
		{"", "", ErrInvalid},
	} {
		got, err := Normalize(c.in)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestHashAndCheck(t *testing.T) {
	h, err := Hash("2468")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "2468") {
		t.Fatalf("hash holds the PIN: %s", h)
	}
	h2, _ := Hash("2468")
	if h == h2 {
		t.Error("two hashes of one PIN are equal: the salt is not random")
	}
	for pin, want := range map[string]bool{"2468": true, "2469": false, "": false, "24680": false} {
		if got := Check(h, pin); got != want {
			t.Errorf("Check(%q) = %v, want %v", pin, got, want)
		}
	}
	if !Check(h+"\n", "2468") {
		t.Error("a hash read from a file with its newline does not check")
	}
	for _, bad := range []string{"plain", "pbkdf2-sha256$x$00$00", "pbkdf2-sha256$1$zz$00", "pbkdf2-sha256$1$00$", "md5$1$00$00"} {
		if Check(bad, "plain") || Check(bad, "") {
			t.Errorf("malformed hash %q checks", bad)
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	h, err := Hash("1357")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // replaces
		if err := WriteFile(dir, h); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if !Check(string(b), "1357") {
		t.Error("written hash does not check")
	}
	fi, _ := os.Stat(filepath.Join(dir, FileName))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left %d files in keys/, want 1", len(entries))
	}
}
