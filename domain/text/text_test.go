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
		// Dashes from phones and word processors: fullwidth and small hyphen-minus.
		"0912\uff0d123\ufe634567": "09121234567",
	} {
		if got := Compact(in); got != want {
			t.Errorf("Compact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestIsDash: every dash people type between digits, and nothing that is not one.
func TestIsDash(t *testing.T) {
	for _, r := range "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d" {
		if !IsDash(r) {
			t.Errorf("IsDash(%U) = false", r)
		}
	}
	for _, r := range "/_.+ 0۰\u200c\u061c\u066b" {
		if IsDash(r) {
			t.Errorf("IsDash(%U) = true", r)
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
