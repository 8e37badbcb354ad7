package kyc

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ehraz/ehraz/domain/problem"
	"github.com/ehraz/ehraz/domain/text"
)

// Invariants for every validator: it never panics; it either accepts and returns a value that is
// ASCII, already normalized (validating it again returns it unchanged), or rejects with a
// *problem.Error carrying a "kyc." key.

func checkRejection(t *testing.T, err error) {
	t.Helper()
	var ke *problem.Error
	if !errors.As(err, &ke) || !strings.HasPrefix(ke.Key, "kyc.") {
		t.Fatalf("rejection %v is not a *problem.Error with a kyc. key", err)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func FuzzNationalCode(f *testing.F) {
	for _, s := range []string{"0076229645", "11537027", "1583250689", "۰۰۷۶۲۲۹۶۴۵", "0000000000",
		"1230000000", "007-622-9645", "", "abc", "\u200f123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseNationalCode(in)
		if err != nil {
			checkRejection(t, err)
			return
		}
		if len(got) != 10 || !allDigits(string(got)) || !nationalCodeChecksumOK(string(got)) {
			t.Fatalf("accepted %q as %q", in, got)
		}
		if again, err := ParseNationalCode(string(got)); err != nil || again != got {
			t.Fatalf("normalized %q does not re-validate: %q %v", got, again, err)
		}
		if again, err := ParseNationalCode(text.PersianDigits(string(got))); err != nil || again != got {
			t.Fatalf("Persian form of %q does not validate: %v", got, err)
		}
	})
}

func FuzzMobile(f *testing.F) {
	for _, s := range []string{"09121234567", "+989121234567", "00989351234567", "989201234567",
		"9121234567", "۰۹۱۲۱۲۳۴۵۶۷", "(0912) 123-4567", "09401234567", "", "+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, op, err := ParseMobile(in)
		if err != nil {
			checkRejection(t, err)
			return
		}
		if len(got) != 11 || !strings.HasPrefix(string(got), "09") || !allDigits(string(got)) || op == "" {
			t.Fatalf("accepted %q as %q %q", in, got, op)
		}
		if again, op2, err := ParseMobile(string(got)); err != nil || again != got || op2 != op {
			t.Fatalf("normalized %q does not re-validate: %q %v", got, again, err)
		}
		if again, _, err := ParseMobile(string("+98" + got[1:])); err != nil || again != got {
			t.Fatalf("+98 form of %q does not validate: %v", got, err)
		}
	})
}

func FuzzCardSerial(f *testing.F) {
	for _, s := range []string{"1G23456789", "1g23456789", "۱G۲۳۴۵۶۷۸۹", "123456789012", "G123456789",
		"1G2345678O", "", "1 G 2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, kind, err := ParseCardSerial(in)
		if err != nil {
			checkRejection(t, err)
			return
		}
		if !isASCII(string(got)) || strings.ToUpper(string(got)) != string(got) || (kind != SmartCard && kind != CardReceipt) {
			t.Fatalf("accepted %q as %q %q", in, got, kind)
		}
		if again, kind2, err := ParseCardSerial(string(got)); err != nil || again != got || kind2 != kind {
			t.Fatalf("normalized %q does not re-validate: %q %v", got, again, err)
		}
	})
}

func FuzzTrackingCode(f *testing.F) {
	for _, s := range []string{"1402000001", "۱۴۰۲۰۰۰۰۰۱", "14020", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseTrackingCode(in)
		if err != nil {
			checkRejection(t, err)
			return
		}
		if len(got) != 10 || !allDigits(string(got)) {
			t.Fatalf("accepted %q as %q", in, got)
		}
		if again, err := ParseTrackingCode(string(got)); err != nil || again != got {
			t.Fatalf("normalized %q does not re-validate", got)
		}
	})
}

func FuzzOTPCode(f *testing.F) {
	for _, s := range []string{"12345", "۱۲۳۴۵۶", "1234", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := OTPCode(in)
		if err != nil {
			checkRejection(t, err)
			return
		}
		if len(got) < 5 || len(got) > 6 || !allDigits(got) {
			t.Fatalf("accepted %q as %q", in, got)
		}
	})
}

func FuzzParseJalali(f *testing.F) {
	for _, s := range []string{"1370/05/12", "۱۳۹۹/۱۲/۳۰", "1400/12/30", "1370-1-1", "", "////"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := ParseJalali(in)
		if err != nil {
			checkRejection(t, err)
			return
		}
		if again, err := ParseJalali(d.String()); err != nil || again != d {
			t.Fatalf("%v does not round-trip through %q: %v", d, d.String(), err)
		}
	})
}
