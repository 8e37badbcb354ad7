package kyc

import "github.com/ehraz/ehraz/domain/text"

// ParseTrackingCode validates the SEJAM tracking code (کد پیگیری سجام): 10 digits, sent by SMS after
// SEJAM registration. Spaces, dashes and any digit script are accepted.
func ParseTrackingCode(raw string) (TrackingCode, error) {
	s := text.Compact(raw)
	switch {
	case s == "":
		return "", reject("kyc.tracking.empty")
	case len(s) != 10 || !allDigits(s):
		return "", reject("kyc.tracking.format")
	}
	return TrackingCode(s), nil
}

// OTPCode validates a one-time code as typed (5 or 6 digits, any digit script, spaces allowed)
// and returns its ASCII digits. Whether the code is right is the issuer's business.
func OTPCode(raw string) (string, error) {
	s := text.Compact(raw)
	switch {
	case s == "":
		return "", reject("kyc.otp.empty")
	case len(s) < 5 || len(s) > 6 || !allDigits(s):
		return "", reject("kyc.otp.format")
	}
	return s, nil
}
