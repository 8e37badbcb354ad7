package kyc

import (
	"strings"
	"unicode"
)

// NormalizeDigits maps Persian (۰–۹, U+06F0…U+06F9) and Arabic-Indic (٠–٩, U+0660…U+0669)
// digits to ASCII and leaves every other character as it is.
func NormalizeDigits(s string) string {
	if !hasNonASCIIDigit(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		}
		return r
	}, s)
}

func hasNonASCIIDigit(s string) bool {
	for _, r := range s {
		if (r >= '۰' && r <= '۹') || (r >= '٠' && r <= '٩') {
			return true
		}
	}
	return false
}

// PersianDigits maps ASCII and Arabic-Indic digits to Persian ones, for display.
func PersianDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return '۰' + (r - '0')
		case r >= '٠' && r <= '٩':
			return '۰' + (r - '٠')
		}
		return r
	}, s)
}

// NormalizeName writes a Persian name the way the registry does: Arabic yeh (ي, and alef maksura
// ى) and kaf (ك) become Persian ی and ک, digits become ASCII, runs of spaces collapse and the
// ends are trimmed. The zero-width non-joiner (ZWNJ) is kept: it is part of the spelling; use
// CompareNames to compare.
func NormalizeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case 'ي', 'ى':
			return 'ی'
		case 'ك':
			return 'ک'
		}
		return r
	}, NormalizeDigits(s))
	return strings.Join(strings.Fields(s), " ")
}

// CompareNames reports whether two names are the same once normalized and with ZWNJ and
// ordinary spaces ignored ("محمدرضا" = "محمد‌رضا" = "محمد رضا").
func CompareNames(a, b string) bool {
	key := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '\u200c' || unicode.IsSpace(r) {
				return -1
			}
			return r
		}, NormalizeName(s))
	}
	return key(a) == key(b)
}

// Compact normalizes digits and drops what people and copy-paste put between them: spaces of
// any kind, dashes, and invisible direction and joiner marks (common when text comes from a
// right-to-left field).
func Compact(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r == '-' || r == '_' || (r >= '\u2010' && r <= '\u2015') || r == '\u2212':
			return -1
		case (r >= '\u200b' && r <= '\u200f') || (r >= '\u202a' && r <= '\u202e') ||
			(r >= '\u2066' && r <= '\u2069') || r == '\ufeff' || r == '\u061c':
			return -1
		}
		return r
	}, NormalizeDigits(s))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
