package servicetest

import "github.com/ehraz/ehraz/domain/problem"

// Key returns the locale key of the *problem.Error in err's chain, "" for no error, and a
// description that matches no key for any other error, so a test can compare keys in one line.
func Key(err error) string {
	if e, ok := problem.As(err); ok {
		return e.Key
	}
	if err != nil {
		return "not a problem.Error: " + err.Error()
	}
	return ""
}
