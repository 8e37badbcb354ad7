package text

import (
	"testing"
	"unicode/utf8"
)

func TestDigits(t *testing.T) {
	for _, c := range []struct{ in, ascii, persian string }{
		{"۰۱۲۳۴۵۶۷۸۹", "0123456789", "۰۱۲۳۴۵۶۷۸۹"},
		{"٠١٢٣٤٥٦٧٨٩", "0123456789", "۰۱۲۳۴۵۶۷۸۹"},
		{"abc 12", "abc 12", "abc ۱۲"},
		{"", "", ""},
		// from the kiosk's keypad and screens
		{"09121234567 ٣", "09121234567 3", "۰۹۱۲۱۲۳۴۵۶۷ ۳"},
		{"۰۹۱۲ ٣", "0912 3", "۰۹۱۲ ۳"},
	} {
		if got := ASCIIDigits(c.in); got != c.ascii {
			t.Errorf("ASCIIDigits(%q) = %q, want %q", c.in, got, c.ascii)
		}
		if got := PersianDigits(c.in); got != c.persian {
			t.Errorf("PersianDigits(%q) = %q, want %q", c.in, got, c.persian)
		}
	}
}

func TestPersianLetters(t *testing.T) {
	if got := PersianLetters(" علي كريمى "); got != " علی کریمی " {
		t.Errorf("PersianLetters = %q", got)
	}
}

func TestNames(t *testing.T) {
	if got := NormalizeName("  علي   كريمي "); got != "علی کریمی" {
		t.Errorf("NormalizeName = %q", got)
	}
	if !CompareNames("محمدرضا", "محمد\u200cرضا") || !CompareNames("محمد رضا", "محمدرضا") {
		t.Error("ZWNJ and space should not matter when comparing")
	}
	if CompareNames("علی", "علیرضا") {
		t.Error("different names compare equal")
	}
}

func TestCompact(t *testing.T) {
	for in, want := range map[string]string{
		"007-622-9645":            "0076229645",
		"۰۰۷ ۶۲۲\u00a0۹۶۴۵":       "0076229645",
		"\u200f123\u200e_4\u2013": "1234",
		"1G23456789":              "1G23456789",
	} {
		if got := Compact(in); got != want {
			t.Errorf("Compact(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzASCIIDigits(f *testing.F) {
	f.Add("۰۱۲ abc ٣٤٥")
	f.Fuzz(func(t *testing.T, in string) {
		out := ASCIIDigits(in)
		if hasNonASCIIDigit(out) {
			t.Fatalf("ASCIIDigits(%q) left non-ASCII digits", in)
		}
		if ASCIIDigits(PersianDigits(out)) != ASCIIDigits(PersianDigits(ASCIIDigits(out))) {
			t.Fatal("not idempotent")
		}
		if utf8.ValidString(in) && utf8.RuneCountInString(out) != utf8.RuneCountInString(in) {
			t.Fatalf("rune count changed: %q → %q", in, out)
		}
	})
}
