package kyc

import (
	"strings"

	"github.com/ehraz/ehraz/domain/text"
)

// ParseNationalCode validates an Iranian national code (کد ملی) and returns it as 10 ASCII digits.
//
// Spaces, dashes and any digit script are accepted. Codes of 8 or 9 digits are left-padded with
// zeros (older codes start with zeros and people drop them). The last digit is a check digit:
// with d0…d8 the first nine digits, s = Σ d_i·(10−i) and r = s mod 11, the code is valid when
// (r < 2 and check = r) or (r ≥ 2 and check = 11 − r). Codes of one repeated digit pass that
// arithmetic but are never issued, and codes whose digits 4–9 are all zero are rejected as in
// persian-tools' reference implementation.
func ParseNationalCode(raw string) (NationalCode, error) {
	s := text.Compact(raw)
	switch {
	case s == "":
		return "", reject("kyc.national_code.empty")
	case !allDigits(s):
		return "", reject("kyc.national_code.not_digits")
	case len(s) < 8 || len(s) > 10:
		return "", reject("kyc.national_code.length")
	}
	s = strings.Repeat("0", 10-len(s)) + s
	if strings.Count(s, s[:1]) == 10 {
		return "", reject("kyc.national_code.repeated")
	}
	if s[3:9] == "000000" {
		return "", reject("kyc.national_code.not_issued")
	}
	if !nationalCodeChecksumOK(s) {
		return "", reject("kyc.national_code.checksum")
	}
	return NationalCode(s), nil
}

// nationalCodeChecksumOK checks the check digit of a 10-digit code.
func nationalCodeChecksumOK(s string) bool {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(s[i]-'0') * (10 - i)
	}
	r := sum % 11
	check := int(s[9] - '0')
	if r < 2 {
		return check == r
	}
	return check == 11-r
}
