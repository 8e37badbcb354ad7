package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	t.Setenv("EHRAZ_LANG", "fa")
	for _, c := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string // substring
	}{
		{"national code", []string{"validate", "national-code", "0076229645"}, exitOK, "0076229645\n", ""},
		{"persian digits", []string{"validate", "national-code", "۰۰۷۶۲۲۹۶۴۵"}, exitOK, "0076229645\n", ""},
		{"spaces and dashes", []string{"validate", "national-code", "007-622 9645"}, exitOK, "0076229645\n", ""},
		{"short code padded", []string{"validate", "national-code", "11537027"}, exitOK, "0011537027\n", ""},
		{"too short", []string{"--lang", "en", "validate", "national-code", "1234567"}, exitInvalid, "", "10 digits"},
		{"repeated digits", []string{"--lang", "en", "validate", "national-code", "1111111111"}, exitInvalid, "", "repeated digit"},
		{"letters", []string{"--lang", "en", "validate", "national-code", "00762a9645"}, exitInvalid, "", "digits only"},
		{"empty string", []string{"--lang", "en", "validate", "national-code", ""}, exitInvalid, "", "Enter your 10-digit"},
		{"checksum persian", []string{"validate", "national-code", "0076229646"}, exitInvalid, "", "معتبر نیست"},
		{"lang after command", []string{"validate", "--lang", "en", "national-code", "0076229646"}, exitInvalid, "", "not valid"},
		{"mobile", []string{"validate", "mobile", "+98 935 123 4567"}, exitOK, "09351234567 irancell\n", ""},
		{"mobile persian", []string{"validate", "mobile", "۰۹۱۲۱۲۳۴۵۶۷"}, exitOK, "09121234567 mci\n", ""},
		{"mobile unknown prefix", []string{"--lang", "en", "validate", "mobile", "09401234567"}, exitInvalid, "", "0940"},
		{"mobile letters", []string{"--lang", "en", "validate", "mobile", "0912abc4567"}, exitInvalid, "", "not valid"},
		{"card serial", []string{"validate", "card-serial", "1g 2345 6789"}, exitOK, "1G23456789 smart_card\n", ""},
		{"card serial G/6 hint", []string{"--lang", "en", "validate", "card-serial", "G123456789"}, exitInvalid, "", "letter G with the digit 6"},
		{"tracking", []string{"validate", "tracking-code", "۱۴۰۲۰۰۰۰۰۱"}, exitOK, "1402000001\n", ""},
		{"tracking short", []string{"--lang", "en", "validate", "tracking-code", "14020"}, exitInvalid, "", "10 digits"},
		{"birth date", []string{"validate", "birth-date", "۱۳۹۹/۱۲/۳۰"}, exitOK, "1399/12/30\n", ""},
		{"no value", []string{"validate", "mobile"}, exitUsage, "", "usage"},
		{"no kind", []string{"validate"}, exitUsage, "", "usage"},
		{"unknown kind", []string{"validate", "passport", "X1"}, exitUsage, "", "unknown kind"},
		{"extra argument", []string{"validate", "mobile", "0912", "x"}, exitUsage, "", "usage"},
		{"bad lang", []string{"validate", "--lang", "de", "mobile", "09121234567"}, exitUsage, "", "unknown language"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), c.args, strings.NewReader(""), &out, &errb)
			if code != c.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, c.code, errb.String())
			}
			if out.String() != c.stdout {
				t.Errorf("stdout %q, want %q", out.String(), c.stdout)
			}
			if !strings.Contains(errb.String(), c.stderr) {
				t.Errorf("stderr %q lacks %q", errb.String(), c.stderr)
			}
		})
	}
}
