// Package kyc validates and normalizes what an applicant types or SEJAM returns: national codes,
// mobile numbers, national card serials, SEJAM tracking codes, one-time codes and Jalali birth
// dates, in any digit script (the mappings are domain/text's). It is pure Go (no cgo, no I/O) and
// every rejection is a *problem.Error whose Key is a locale key ("kyc.…") with Persian and
// English text in locales/.
package kyc
