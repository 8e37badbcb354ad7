package store

import "errors"

// ErrorKey maps a store error to the locale key a person is shown (defined in
// locales/*/store.json).
func ErrorKey(err error) string {
	switch {
	case err == nil:
		return ""
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
