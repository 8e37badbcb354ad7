package kyc

import "github.com/ehraz/ehraz/domain/problem"

// reject returns the rejection an applicant can act on: a *problem.Error whose Key is a locale key
// (e.g. "kyc.national_code.checksum") and whose Args are name, value pairs for its
// {placeholders}. It never carries the rejected value itself, so it can be logged.
func reject(key string, args ...string) error { return problem.New(key, args...) }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
