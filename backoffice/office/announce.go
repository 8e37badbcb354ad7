package office

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// FirstPasswordFile is the file, in the keys folder, that holds the first console account's
// password when it cannot be shown on a terminal.
const FirstPasswordFile = "console-first-password"

// AnnounceFirstPassword tells whoever started the program the first console account's password.
// On a terminal it is printed once. Anywhere else — the journal under systemd, a redirected log —
// it would stay readable in the log for as long as the log is kept, so it goes into a file in
// keysDir that only this user can read, and the message names the file instead.
func AnnounceFirstPassword(w io.Writer, toTerminal bool, prefix, keysDir, user, password string) error {
	if toTerminal {
		_, err := fmt.Fprintf(w, "%s: console account %q created, password %s (shown only this once; its hash is stored)\n", prefix, user, password)
		return err
	}
	path := filepath.Join(keysDir, FirstPasswordFile)
	if err := os.MkdirAll(keysDir, 0o700); err != nil {
		return fmt.Errorf("first password: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("first password: %w", err)
	}
	if _, err := fmt.Fprintf(f, "console account %q\npassword %s\n", user, password); err != nil {
		f.Close()
		return fmt.Errorf("first password: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("first password: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s: console account %q created; its password is in %s (readable only by this user): read it, then delete the file\n", prefix, user, path)
	return err
}

// IsTerminal reports whether f is a terminal (a character device that is not /dev/null).
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(st, null) {
		return false
	}
	return true
}
