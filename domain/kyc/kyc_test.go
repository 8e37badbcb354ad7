package kyc

import (
	"errors"
	"testing"

	"github.com/ehraz/ehraz/domain/problem"
)

// wantKey fails the test unless err is a *problem.Error with the given key ("" means no error).
func wantKey(t *testing.T, err error, key string) {
	t.Helper()
	if key == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var ke *problem.Error
	if !errors.As(err, &ke) {
		t.Fatalf("error %v, want *problem.Error %s", err, key)
	}
	if ke.Key != key {
		t.Fatalf("key %s, want %s", ke.Key, key)
	}
}

func TestNationalCode(t *testing.T) {
	for _, c := range []struct{ name, in, want, key string }{
		{"valid", "0076229645", "0076229645", ""},
		{"eight digits padded", "11537027", "0011537027", ""},
		{"valid 2", "1583250689", "1583250689", ""},
		{"persian digits", "۰۰۷۶۲۲۹۶۴۵", "0076229645", ""},
		{"arabic-indic digits", "١٥٨٣٢٥٠٦٨٩", "1583250689", ""},
		{"spaces and dashes", " 007-622964 5 ", "0076229645", ""},
		{"nine digits padded", "076229645", "0076229645", ""},
		{"rtl marks", "\u200f0076229645\u200e", "0076229645", ""},
		{"empty", "", "", "kyc.national_code.empty"},
		{"blank", "  - ", "", "kyc.national_code.empty"},
		{"letters", "00762a9645", "", "kyc.national_code.not_digits"},
		{"short", "1234567", "", "kyc.national_code.length"},
		{"long", "00762296451", "", "kyc.national_code.length"},
		{"checksum", "0076229646", "", "kyc.national_code.checksum"},
		{"repeated zeros", "0000000000", "", "kyc.national_code.repeated"},
		{"repeated ones", "1111111111", "", "kyc.national_code.repeated"},
		{"repeated nines", "9999999999", "", "kyc.national_code.repeated"},
		{"digits 4-9 zero", "1230000000", "", "kyc.national_code.not_issued"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseNationalCode(c.in)
			wantKey(t, err, c.key)
			if string(got) != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestRepeatedDigitCodesPassTheArithmetic(t *testing.T) {
	// The reason the repeated-digit rule must be explicit.
	for d := byte('0'); d <= '9'; d++ {
		s := string([]byte{d, d, d, d, d, d, d, d, d, d})
		if !nationalCodeChecksumOK(s) {
			t.Errorf("%s fails the checksum; the explicit rule would be redundant", s)
		}
	}
}

func TestMobile(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		op             Operator
		key            string
	}{
		{"local", "09121234567", "09121234567", OperatorMCI, ""},
		{"no zero", "9121234567", "09121234567", OperatorMCI, ""},
		{"plus 98", "+989351234567", "09351234567", OperatorIrancell, ""},
		{"0098", "00989201234567", "09201234567", OperatorRightel, ""},
		{"98", "989311234567", "09311234567", OperatorMTCE, ""},
		{"persian digits", "۰۹۳۲۱۲۳۴۵۶۷", "09321234567", OperatorTaliya, ""},
		{"spaces dashes parens", "(0912) 123-45 67", "09121234567", OperatorMCI, ""},
		{"plus with spaces", "+98 990 123 4567", "09901234567", OperatorMCI, ""},
		{"trunk zero in brackets", "+98 (0) 912 123 4567", "09121234567", OperatorMCI, ""},
		{"0098 with trunk zero", "0098 0935 123 4567", "09351234567", OperatorIrancell, ""},
		{"trunk zero twice", "+98 00 912 123 4567", "", "", "kyc.mobile.format"},
		{"trunk zero persian digits", "+۹۸ (۰) ۹۱۲ ۱۲۳ ۴۵۶۷", "09121234567", OperatorMCI, ""},
		{"98 with trunk zero", "98 (0) 935-123-4567", "09351234567", OperatorIrancell, ""},
		{"unicode hyphens", "0912\u2010123\u20114567", "09121234567", OperatorMCI, ""},
		{"trunk zero without country code", "(0) 912 123 4567", "09121234567", OperatorMCI, ""},
		{"trunk one in brackets", "+98 (1) 912 123 4567", "", "", "kyc.mobile.format"},
		{"trunk zero short", "+98 (0) 912 123 456", "", "", "kyc.mobile.format"},
		{"plus inside", "0912+1234567", "", "", "kyc.mobile.format"},
		{"shatel", "09981234567", "09981234567", OperatorShatel, ""},
		{"irancell 0941", "09411234567", "09411234567", OperatorIrancell, ""},
		{"empty", "", "", "", "kyc.mobile.empty"},
		{"short", "0912123456", "", "", "kyc.mobile.format"},
		{"long", "091212345678", "", "", "kyc.mobile.format"},
		{"landline", "02188776655", "", "", "kyc.mobile.format"},
		{"letters", "0912abc4567", "", "", "kyc.mobile.format"},
		{"plus without 98", "+9121234567", "", "", "kyc.mobile.format"},
		{"unknown prefix", "09401234567", "", "", "kyc.mobile.unknown_operator"},
		{"unknown prefix 097", "09701234567", "", "", "kyc.mobile.unknown_operator"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, op, err := ParseMobile(c.in)
			wantKey(t, err, c.key)
			if string(got) != c.want || op != c.op {
				t.Errorf("got %q %q, want %q %q", got, op, c.want, c.op)
			}
		})
	}
}

func TestCardSerial(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		kind           CardKind
		key            string
	}{
		{"smart", "1G23456789", "1G23456789", SmartCard, ""},
		{"lower case", "1g23456789", "1G23456789", SmartCard, ""},
		{"persian digits", "۱G۲۳۴۵۶۷۸۹", "1G23456789", SmartCard, ""},
		{"spaces", " 1G 2345 6789 ", "1G23456789", SmartCard, ""},
		{"receipt numeric", "123456789012", "123456789012", CardReceipt, ""},
		{"empty", "", "", "", "kyc.card_serial.empty"},
		{"letter first", "G123456789", "", "", "kyc.card_serial.format"},
		{"two letters", "1GG3456789", "", "", "kyc.card_serial.format"},
		{"short", "1G2345678", "", "", "kyc.card_serial.format"},
		{"O for zero", "1G2345678O", "", "", "kyc.card_serial.format"},
		{"persian letter", "1ج23456789", "", "", "kyc.card_serial.format"},
		{"too short numeric", "123456789", "", "", "kyc.card_serial.format"},
		{"receipt of 20 digits", "12345678901234567890", "12345678901234567890", CardReceipt, ""},
		{"receipt of 21 digits", "123456789012345678901", "", "", "kyc.card_serial.format"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, kind, err := ParseCardSerial(c.in)
			wantKey(t, err, c.key)
			if string(got) != c.want || kind != c.kind {
				t.Errorf("got %q %q, want %q %q", got, kind, c.want, c.kind)
			}
		})
	}
}

func TestTrackingAndOTP(t *testing.T) {
	for _, c := range []struct{ name, in, want, key string }{
		{"tracking", "1402000001", "1402000001", ""},
		{"tracking persian", "۱۴۰۲۰۰۰۰۰۱", "1402000001", ""},
		{"tracking spaced", "14020 00001", "1402000001", ""},
		{"tracking empty", "", "", "kyc.tracking.empty"},
		{"tracking short", "140200000", "", "kyc.tracking.format"},
		{"tracking letters", "14020000a1", "", "kyc.tracking.format"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseTrackingCode(c.in)
			wantKey(t, err, c.key)
			if string(got) != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
	for _, c := range []struct{ name, in, want, key string }{
		{"five", "12345", "12345", ""},
		{"six persian", "۱۲۳۴۵۶", "123456", ""},
		{"spaced", "123 456", "123456", ""},
		{"empty", " ", "", "kyc.otp.empty"},
		{"four", "1234", "", "kyc.otp.format"},
		{"seven", "1234567", "", "kyc.otp.format"},
		{"letters", "12a45", "", "kyc.otp.format"},
	} {
		t.Run("otp "+c.name, func(t *testing.T) {
			got, err := OTPCode(c.in)
			wantKey(t, err, c.key)
			if string(got) != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	err := reject("kyc.mobile.unknown_operator", "prefix", "0940")
	if err.Error() != "kyc.mobile.unknown_operator (prefix 0940)" {
		t.Errorf("Error() = %q", err.Error())
	}
}
