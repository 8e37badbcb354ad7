// Package text normalizes what people type and what services return: Persian (۰–۹) and
// Arabic-Indic (٠–٩) digits to ASCII and back for display, Arabic letters to their Persian forms,
// the separators people and copy-paste put between digits, and names as the registry writes
// them. It is the only place in the module that knows these mappings; it imports nothing but the
// standard library.
package text

import (
	"strings"
	"unicode"
)

// ASCIIDigits maps Persian (۰–۹, U+06F0…U+06F9) and Arabic-Indic (٠–٩, U+0660…U+0669) digits to
// ASCII and leaves every other character as it is.
func ASCIIDigits(s string) string {
	if !hasNonASCIIDigit(s) {
		return s
	}
	return mapDigits(s, '0')
}

// PersianDigits maps ASCII and Arabic-Indic digits to Persian ones, for display.
func PersianDigits(s string) string { return mapDigits(s, '۰') }

// mapDigits writes every digit of the three scripts as the digit of the same value counted
// from zero.
func mapDigits(s string, zero rune) string {
	return strings.Map(func(r rune) rune {
		if v, ok := digitValue(r); ok {
			return zero + v
		}
		return r
	}, s)
}

// digitValue is the value of an ASCII, Persian or Arabic-Indic digit.
func digitValue(r rune) (rune, bool) {
	switch {
	case r >= '0' && r <= '9':
		return r - '0', true
	case r >= '۰' && r <= '۹':
		return r - '۰', true
	case r >= '٠' && r <= '٩':
		return r - '٠', true
	}
	return 0, false
}

func hasNonASCIIDigit(s string) bool {
	for _, r := range s {
		if _, ok := digitValue(r); ok && r > '9' {
			return true
		}
	}
	return false
}

// PersianLetters maps the Arabic yeh (ي, and alef maksura ى) and kaf (ك) to the Persian ی and
// ک, as Persian text is compared and shown. Everything else is left as it is.
func PersianLetters(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'ي', 'ى':
			return 'ی'
		case 'ك':
			return 'ک'
		}
		return r
	}, s)
}

// NormalizeName writes a Persian name the way the registry does: Persian letters
// (PersianLetters), ASCII digits, runs of spaces collapsed and the ends trimmed. The zero-width
// non-joiner (ZWNJ) is kept: it is part of the spelling; use CompareNames to compare.
func NormalizeName(s string) string {
	return strings.Join(strings.Fields(PersianLetters(ASCIIDigits(s))), " ")
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

// IsDash reports whether r is one of the dashes people, keyboards and copy-paste put between
// digits: the hyphen-minus, the hyphens and dashes U+2010…U+2015 (hyphen, non-breaking hyphen,
// figure dash, en dash, em dash, horizontal bar), the minus sign U+2212, and the small and
// fullwidth hyphen-minus U+FE63 and U+FF0D.
func IsDash(r rune) bool {
	switch {
	case r == '-', r >= '\u2010' && r <= '\u2015', r == '\u2212', r == '\ufe63', r == '\uff0d':
		return true
	}
	return false
}

// Compact maps digits to ASCII and drops what people and copy-paste put between them: spaces of
// any kind, dashes, and invisible direction and joiner marks (common when text comes from a
// right-to-left field).
func Compact(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r == '_' || IsDash(r):
			return -1
		case (r >= '\u200b' && r <= '\u200f') || (r >= '\u202a' && r <= '\u202e') ||
			(r >= '\u2066' && r <= '\u2069') || r == '\ufeff' || r == '\u061c':
			return -1
		}
		return r
	}, ASCIIDigits(s))
}
