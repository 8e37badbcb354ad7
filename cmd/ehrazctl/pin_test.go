package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/app/pin"
)

func TestPinCommand(t *testing.T) {
	dir := t.TempDir()
	ctl := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"--lang", "en"}, args...), strings.NewReader(stdin), &out, &errb)
		return code, out.String(), errb.String()
	}

	// set: Persian digits accepted; the kiosk's hash file is written and checks; the PIN never printed.
	code, out, errs := ctl("۱۳۵۷۹\n", "pin", "set", "--data", dir)
	if code != exitOK {
		t.Fatalf("pin set: exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(filepath.Join(dir, "keys", pin.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if !pin.Check(string(b), "13579") {
		t.Error("stored hash does not check the PIN")
	}
	if strings.Contains(out+errs, "13579") || strings.Contains(out+errs, "۱۳۵۷۹") {
		t.Errorf("the PIN was printed: %s %s", out, errs)
	}

	// invalid: refused, the earlier hash kept.
	if code, _, errs := ctl("12\n", "pin", "set", "--data", dir); code != exitInvalid || !strings.Contains(errs, "4 to 12 digits") {
		t.Errorf("short PIN: exit %d, %q", code, errs)
	}
	if b2, _ := os.ReadFile(filepath.Join(dir, "keys", pin.FileName)); !bytes.Equal(b, b2) {
		t.Error("a refused PIN replaced the stored hash")
	}

	// hash: printed for the config file.
	code, out, _ = ctl("2468\n", "pin", "hash")
	if code != exitOK || !pin.Check(strings.TrimSpace(out), "2468") {
		t.Errorf("pin hash: exit %d, %q", code, out)
	}
	if code, _, _ := ctl("", "pin"); code != exitUsage {
		t.Errorf("pin without a subcommand: exit %d, want usage", code)
	}
}
