package kyc

import (
	"regexp"
	"strings"

	"github.com/ehraz/ehraz/domain/text"
)

// Operator is the mobile network a number's prefix belongs to.
type Operator string

// The operators of Iranian mobile prefixes.
const (
	OperatorMCI      Operator = "mci"      // Hamrah-e Aval (همراه اول)
	OperatorIrancell Operator = "irancell" // Irancell (ایرانسل)
	OperatorRightel  Operator = "rightel"  // RighTel (رایتل)
	OperatorMTCE     Operator = "mtce"     // MTCE / Spadan (اسپادان)
	OperatorTaliya   Operator = "taliya"   // Taliya (تالیا)
	OperatorTeleKish Operator = "telekish" // TeleKish (تله‌کیش)
	OperatorShatel   Operator = "shatel"   // Shatel Mobile (شاتل موبایل)
	OperatorMVNO     Operator = "mvno"     // the 0999 block shared by virtual operators
)

// Key is the operator's locale key, e.g. "kyc.operator.mci".
func (o Operator) Key() string { return "kyc.operator." + string(o) }

// operatorByPrefix maps the first four digits of a normalized number (09XY) to its operator.
//
// Sources, checked 2026-11: libphonenumber's carrier data for +98 (resources/carrier/en/98.txt:
// 990 Irancell, 991 MCI, 992 Rightel, 993 Irancell with 9931 MTCE, 9932 Taliya and 9934
// TeleKish, 9990/9991/9994/9996 MCI, 99981/99982 Shatel, 9999 virtual operators) and its IR
// mobile pattern (0900–0905, 0910–0939, 0941, 0990–0999 ranges), plus the team's domain notes
// (0941 Irancell; 0995–0996 MCI per persian-tools). The table is at four-digit granularity:
// numbers are portable between operators and the registry of record is Shahkar, so the operator
// is shown as a hint, never used to reject a number whose prefix is listed. A prefix not listed
// here is not a mobile prefix in any source above and is rejected.
var operatorByPrefix = map[string]Operator{
	"0900": OperatorIrancell, "0901": OperatorIrancell, "0902": OperatorIrancell,
	"0903": OperatorIrancell, "0904": OperatorIrancell, "0905": OperatorIrancell,
	"0910": OperatorMCI, "0911": OperatorMCI, "0912": OperatorMCI, "0913": OperatorMCI,
	"0914": OperatorMCI, "0915": OperatorMCI, "0916": OperatorMCI, "0917": OperatorMCI,
	"0918": OperatorMCI, "0919": OperatorMCI,
	"0920": OperatorRightel, "0921": OperatorRightel, "0922": OperatorRightel, "0923": OperatorRightel,
	"0930": OperatorIrancell, "0931": OperatorMTCE, "0932": OperatorTaliya, "0933": OperatorIrancell,
	"0934": OperatorTeleKish, "0935": OperatorIrancell, "0936": OperatorIrancell,
	"0937": OperatorIrancell, "0938": OperatorIrancell, "0939": OperatorIrancell,
	"0941": OperatorIrancell,
	"0990": OperatorMCI, "0991": OperatorMCI, "0992": OperatorMCI, "0993": OperatorMCI,
	"0994": OperatorMCI, "0995": OperatorMCI, "0996": OperatorMCI,
	"0998": OperatorShatel, "0999": OperatorMVNO,
}

// mobilePattern: an optional country code (+98, 0098, 98) that may keep the trunk 0 people write
// in brackets after it ("+98 (0) 912 …"), or the trunk 0 alone, then 9 and nine digits.
var mobilePattern = regexp.MustCompile(`^((\+98|0098|98)0?|0)?9\d{9}$`)

// ParseMobile validates an Iranian mobile number written in any usual form (+98 912…, 0098912…,
// 98912…, 0912…, 912…, any digit script, with spaces, dashes or parentheses) and returns it as
// 09XXXXXXXXX with its operator.
func ParseMobile(raw string) (Mobile, Operator, error) {
	s := strings.NewReplacer("(", "", ")", "").Replace(text.Compact(raw))
	if s == "" {
		return "", "", reject("kyc.mobile.empty")
	}
	if !mobilePattern.MatchString(s) {
		return "", "", reject("kyc.mobile.format")
	}
	n := "0" + s[len(s)-10:]
	op, ok := operatorByPrefix[n[:4]]
	if !ok {
		return "", "", reject("kyc.mobile.unknown_operator", "prefix", n[:4])
	}
	return Mobile(n), op, nil
}
