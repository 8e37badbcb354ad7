// Package localeenv settles the process's locale environment before Fyne reads it. Fyne's lang
// package parses the system locale in its own init and logs "Fyne error: Error parsing user
// locale C" when LANG or LC_ALL is a C locale with a codeset (C.UTF-8, the default of Debian
// containers and systemd services): its look-up strips the codeset and hands "C" to the BCP 47
// parser. The kiosk chooses its language itself ([kiosk] language), so the system locale only
// picks Fyne's own few strings.
//
// Importing this package (main does, blank) is enough: it has no dependency on Fyne, so Go's
// initialization order (packages sorted by import path once their imports are ready) runs its
// init before fyne.io/fyne/v2/lang, whose own imports (github.com/jeandeaual/go-locale,
// github.com/nicksnyder/go-i18n) sort after this module's path.
package localeenv

import (
	"os"
	"strings"
)

func init() { Settle(os.Getenv, os.Setenv) }

// Fallback is the language given to Fyne when the system locale names none.
const Fallback = "en"

// Settle sets LANGUAGE to Fallback when the locale variables that decide the language (the first
// set of LC_ALL, LC_MESSAGES, LANG) name a C or POSIX locale with a codeset, and LANGUAGE is not
// already set. A plain "C" or "POSIX" needs nothing (Fyne reads it as English); a real locale is
// left alone. It reports whether it changed anything.
func Settle(getenv func(string) string, setenv func(string, string) error) bool {
	if getenv("LANGUAGE") != "" {
		return false
	}
	var loc string
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = getenv(k); loc != "" {
			break
		}
	}
	if loc == "C" || loc == "POSIX" {
		return false
	}
	lang, _, _ := strings.Cut(loc, ".")
	lang, _, _ = strings.Cut(lang, "@")
	if lang != "C" && lang != "POSIX" {
		return false
	}
	return setenv("LANGUAGE", Fallback) == nil
}
