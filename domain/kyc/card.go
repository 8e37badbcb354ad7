package kyc

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/ehraz/ehraz/domain/text"
)

// CardSerialMaxLen is the longest card serial accepted: a numeric receipt code of up to 20
// digits. The kiosk's keypad takes exactly this many characters.
const CardSerialMaxLen = 20

var (
	smartCardSerial = regexp.MustCompile(`^\d[A-Z]\d{8}$`)
	receiptNumber   = regexp.MustCompile(`^\d{10,` + strconv.Itoa(CardSerialMaxLen) + `}$`)
)

// ParseCardSerial validates the serial the applicant reads off their national card and returns it
// normalized (ASCII digits, upper-case letter, no spaces or dashes) with the kind of document
// the form suggests. The civil registry's answer has the final word on the kind.
//
// What was confirmed and what was not (2026-11):
//   - Smart card: the serial printed on the back is one digit, one Latin letter and eight digits
//     (^\d[A-Z]\d{8}$, e.g. 1G23456789); letters are accepted in either case. People and OCR
//     confuse the letter G with 6 and O with 0, so the rejection message says so — nothing is
//     auto-corrected, because a wrong guess would be sent to the registry as if typed.
//   - Receipt (رسید): the paper receipt handed out while the smart card is being made carries a
//     tracking code (کد رهگیری) used to follow the card's issue at ncr.ir — confirmed. Its exact
//     length and alphabet could NOT be confirmed from a public source, and the registry simulator
//     gives receipts a serial of the smart-card form. So a receipt is accepted either in the
//     smart-card form (reported as SmartCard until the registry says otherwise) or as a purely
//     numeric code of 10–20 digits (reported as CardReceipt). The registry decides whether it
//     matches the national code; a G/6 typo that turns a serial numeric is caught there, with
//     the same G/6 hint in its message.
//   - Older (pre-smart) cards are not accepted by the product rules; their serial form could not
//     be confirmed either and the registry rejects them by kind ("registry.card_not_smart").
func ParseCardSerial(raw string) (CardSerial, CardKind, error) {
	s := strings.ToUpper(strings.NewReplacer("/", "", ".", "").Replace(text.Compact(raw)))
	switch {
	case s == "":
		return "", "", reject("kyc.card_serial.empty")
	case smartCardSerial.MatchString(s):
		return CardSerial(s), SmartCard, nil
	case receiptNumber.MatchString(s):
		return CardSerial(s), CardReceipt, nil
	}
	return "", "", reject("kyc.card_serial.format")
}
