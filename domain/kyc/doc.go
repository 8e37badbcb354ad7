// Package kyc validates and normalizes what an applicant types or SEJAM returns: digits in any
// script, national codes, mobile numbers, national card serials, SEJAM tracking codes, one-time
// codes, names and Jalali birth dates. It is pure Go (no cgo, no I/O) and every rejection is an
// *Error whose Key is a locale key ("kyc.…") with Persian and English text in locales/.
package kyc
