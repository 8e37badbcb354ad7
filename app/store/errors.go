package store

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/mattn/go-sqlite3"

	"github.com/ehraz/ehraz/app/flow"
)

// ErrorKey maps a store error to the locale key a person is shown (defined in
// locales/*/store.json).
func ErrorKey(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, flow.ErrStorageFull):
		return "store.error.disk_full"
	case errors.Is(err, ErrReadOnly):
		return "store.error.read_only"
	case errors.Is(err, ErrKeyPermissions), errors.Is(err, ErrNoKey):
		return "store.error.key"
	case errors.Is(err, ErrUnreadable):
		return "store.error.unreadable"
	case errors.Is(err, ErrNotFound):
		return "store.error.not_found"
	}
	return "store.error.generic"
}

// diskFull marks err with flow.ErrStorageFull when the disk ran out of space, in a file write
// (ENOSPC) or inside SQLite (SQLITE_FULL), so the kiosk can say so instead of a generic failure.
func diskFull(err error) error {
	if err == nil || errors.Is(err, flow.ErrStorageFull) {
		return err
	}
	var se sqlite3.Error
	if errors.Is(err, syscall.ENOSPC) || (errors.As(err, &se) && (se.Code == sqlite3.ErrFull || se.SystemErrno == syscall.ENOSPC)) {
		return fmt.Errorf("%w: %w", flow.ErrStorageFull, err)
	}
	return err
}
