package kyc

// The identity values that travel together through the flow, the store and the dossier. Each is
// a distinct type so that a national code can never be passed where a tracking code or a mobile
// number is expected; a value of these types has been through its Parse function (or came from a
// trusted record that did), so it is in canonical form: ASCII digits, no separators.
type (
	// NationalCode is a valid 10-digit national code (کد ملی); see ParseNationalCode.
	NationalCode string
	// TrackingCode is a SEJAM tracking code (کد پیگیری سجام); see ParseTrackingCode.
	TrackingCode string
	// Mobile is an Iranian mobile number as 09XXXXXXXXX; see ParseMobile.
	Mobile string
	// CardSerial is a national card serial or receipt number; see ParseCardSerial.
	CardSerial string
)

func (c NationalCode) String() string { return string(c) }
func (c TrackingCode) String() string { return string(c) }
func (m Mobile) String() string       { return string(m) }
func (s CardSerial) String() string   { return string(s) }

// Masked shows a national code for logs and operator lists: first three and last digit only.
func (c NationalCode) Masked() string { return mask(string(c), 3, 1) }

// Masked shows a mobile number as 0912*****67.
func (m Mobile) Masked() string { return mask(string(m), 4, 2) }

func mask(s string, head, tail int) string {
	if len(s) <= head+tail {
		return s
	}
	b := []byte(s)
	for i := head; i < len(b)-tail; i++ {
		b[i] = '*'
	}
	return string(b)
}
