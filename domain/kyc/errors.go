package kyc

import "strings"

// Error is a rejection the applicant can act on. Key is a locale key (e.g.
// "kyc.national_code.checksum"); Args are name, value pairs for its {placeholders}. An Error
// never carries the rejected value itself, so it can be logged.
type Error struct {
	Key  string
	Args []string
}

func (e *Error) Error() string {
	if len(e.Args) == 0 {
		return e.Key
	}
	return e.Key + " (" + strings.Join(e.Args, " ") + ")"
}

func reject(key string, args ...string) error { return &Error{Key: key, Args: args} }
