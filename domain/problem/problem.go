// Package problem is the error an applicant can act on, shared by the domain, the flow and the
// adapters: a locale key ("sejam.otp_wrong", "kyc.national_code.checksum"), the values for its
// {placeholders}, and the cause for the log. An adapter returns one without importing the flow
// (flow.Error is this type). A problem never carries personal data, so it can be logged.
package problem

import (
	"errors"
	"strings"
)

// Error is a rejection the applicant can act on: Key is a locale key, Args fill its
// {placeholders}. Anything that is not an *Error is an internal fault.
type Error struct {
	Key  string
	Args []string // name, value pairs
	Err  error    // the cause, for logs (never personal data)
}

// Error is the key, then the arguments in parentheses when there are any, then the cause:
// "otp.wrong_code (left 2)", "sejam.unavailable: sejam kycOtp: http 503 …".
func (e *Error) Error() string {
	s := e.Key
	if len(e.Args) > 0 {
		s += " (" + strings.Join(e.Args, " ") + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// New returns the problem key with its name, value argument pairs.
func New(key string, args ...string) *Error { return &Error{Key: key, Args: args} }

// Wrap returns the problem key caused by err (kept for the log), with its name, value argument
// pairs.
func Wrap(key string, err error, args ...string) *Error {
	return &Error{Key: key, Args: args, Err: err}
}

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
