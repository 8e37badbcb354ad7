package kyc

// PersonType distinguishes natural persons from legal entities, as SEJAM reports them.
type PersonType string

const (
	NaturalPerson PersonType = "IranianPrivatePerson"
	LegalPerson   PersonType = "IranianLegalPerson"
	ForeignPerson PersonType = "ForeignPrivatePerson"
)

// Person is the applicant as SEJAM and the civil registry describe them. Names are Persian;
// BirthDate is Jalali "YYYY/MM/DD" with ASCII digits.
type Person struct {
	NationalCode NationalCode
	FirstName    string
	LastName     string
	FatherName   string
	Gender       string // "male" / "female"
	BirthDate    string
	PlaceOfBirth string
	Type         PersonType
	Nationality  string // "IR" for Iranian
	Mobile       Mobile // the mobile registered in SEJAM, normalized 09XXXXXXXXX
}

// CardKind says whether the applicant shows a smart national card or its receipt.
type CardKind string

const (
	SmartCard   CardKind = "smart_card"
	CardReceipt CardKind = "receipt"
)
