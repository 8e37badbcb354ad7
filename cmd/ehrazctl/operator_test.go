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

func TestOperatorCommand(t *testing.T) {
	dir := t.TempDir()
	ctl := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"--lang", "en"}, args...), strings.NewReader(stdin), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, out, errs := ctl("۲۴۶۸\n", "operator", "add", "Maryam", "Ahmadi", "--data", dir); code != exitOK || strings.Contains(out+errs, "2468") {
		t.Fatalf("add: exit %d %q %q", code, out, errs)
	}
	if code, _, _ := ctl("1357\n", "operator", "add", "علی", "--data", dir); code != exitOK {
		t.Fatalf("add a Persian name: exit %d", code)
	}
	if code, _, errs := ctl("1111\n", "operator", "add", "Maryam Ahmadi", "--data", dir); code != exitInvalid || !strings.Contains(errs, "already") {
		t.Errorf("duplicate: exit %d %q", code, errs)
	}
	if code, _, _ := ctl("12\n", "operator", "add", "Reza", "--data", dir); code != exitInvalid {
		t.Errorf("short PIN accepted: exit %d", code)
	}
	code, out, _ := ctl("", "operator", "list", "--data", dir)
	if code != exitOK || !strings.Contains(out, "Maryam Ahmadi\t") || !strings.Contains(out, "علی\t") || strings.Contains(out, "Reza") {
		t.Errorf("list: exit %d %q", code, out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "keys", pin.OperatorsFile)); strings.Contains(string(b), "2468") {
		t.Error("a PIN is stored in clear")
	}
	ops, err := pin.LoadOperators(filepath.Join(dir, "keys"))
	if err != nil || !ops.CheckOperator("Maryam Ahmadi", "2468") {
		t.Fatalf("stored operator does not check: %v", err)
	}
	if code, _, _ := ctl("", "operator", "remove", "Maryam Ahmadi", "--data", dir); code != exitOK {
		t.Errorf("remove: exit %d", code)
	}
	if code, _, _ := ctl("", "operator", "remove", "Maryam Ahmadi", "--data", dir); code != exitInvalid {
		t.Errorf("remove twice: exit %d", code)
	}
	if _, out, _ := ctl("", "operator", "list", "--data", dir); strings.Contains(out, "Maryam") {
		t.Errorf("removed operator listed: %q", out)
	}
	if code, _, _ := ctl("", "operator"); code != exitUsage {
		t.Errorf("no subcommand: exit %d", code)
	}
}
