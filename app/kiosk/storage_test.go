package kiosk

import (
	"reflect"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/store"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Every field the store reads for a dossier reaches the outbox: a field added to one side and
// not copied leaves a zero value here.
func TestDossierSessionCopiesEveryField(t *testing.T) {
	at := time.Date(2026, 11, 25, 8, 30, 0, 0, time.UTC)
	f := store.Finished{
		SessionID: "s-1", Mode: "online", ClientIP: "203.0.113.9",
		Applicant: store.Applicant{Person: kyc.Person{NationalCode: "0499370899"}, Mobile: "09123456789",
			CardSerial: "9K21345678", CardKind: kyc.CardKind("smart_card")},
		Checks: []store.Check{{Step: "selfie", Attempt: 2, At: at, Outcome: "pass", Reasons: []string{"r"},
			Rules: []sdk.Rule{{Name: "x"}}, Score: 0.9, DurationMS: 12, Provenance: sdk.Provenance{Plugin: "face", Version: "0.1.0", SHA256: "ab", Signer: "k"}}},
		Media:     []store.PlainMedia{{Name: "selfie", Format: "jpeg", Data: []byte{1}, AuditHash: "9be1"}},
		StartedAt: at, AcceptedAt: at.Add(time.Minute),
		Audit: store.AuditHeadRow{Seq: 7, MAC: "c0ffee", KeyID: "0123456789abcdef"},
	}
	got := dossierSession(f)
	for _, v := range []reflect.Value{reflect.ValueOf(got), reflect.ValueOf(got.Applicant),
		reflect.ValueOf(got.Checks[0]), reflect.ValueOf(got.Media[0]), reflect.ValueOf(*got.Audit)} {
		for i := range v.NumField() {
			if v.Field(i).IsZero() {
				t.Errorf("%s.%s was not copied", v.Type().Name(), v.Type().Field(i).Name)
			}
		}
	}
}
