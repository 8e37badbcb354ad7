package store

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/outbox"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/services/otp"
)

// testSchemas are the other packages' tables the kiosk's wiring registers (the store purges OTP
// rows and lists sessions missing from the outbox).
func testSchemas() []Schema {
	return []Schema{{Owner: "otp", FS: otp.Migrations, Dir: "migrations", Retention: Retention{
		ForgetSession: otp.ForgetSessionSQL,
		Log:           otp.SendLog, CountLog: otp.CountSendLogSQL, DeleteLog: otp.DeleteSendLogSQL, LogKept: otp.SendLogKept,
	}}, {Owner: "outbox", FS: outbox.Migrations, Dir: "migrations", Retention: Retention{ForgetSession: outbox.ForgetSessionSQL}}}
}

// The applicant used by the tests: values that must never appear in clear on disk.
const (
	testNationalCode = "0499370899"
	testFirstName    = "شهرزاد"
	testLastName     = "کیانپور"
	testMobile       = "09123456789"
	testSejamMobile  = "09351112233"
	testTracking     = "7731955024"
	testCardSerial   = "9K21345678"
)

var t0 = time.Date(2026, 11, 25, 8, 30, 0, 0, time.UTC)

// openTest opens a store in a fresh data folder with a key file; it checks the database's
// integrity and closes it when the test ends.
func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	t.Setenv(KeyEnv, "")
	dir := t.TempDir()
	s := openAt(t, dir)
	return s, dir
}

func openAt(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{Path: filepath.Join(dir, "ehraz.db"), KeyFile: filepath.Join(dir, "keys", "store.key"), Now: func() time.Time { return t0.Add(time.Hour) },
		Schemas: testSchemas()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		s.Close() // may already be closed by the test
		checkFile(t, filepath.Join(dir, "ehraz.db"))
	})
	return s
}

// checkFile runs the integrity check and audit verification on a closed database file.
func checkFile(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	db, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Errorf("open after test: %v", err)
		return
	}
	defer db.Close()
	if err := IntegrityCheck(ctx, db); err != nil {
		t.Errorf("integrity after test: %v", err)
	}
	keys, err := LoadKeys(Options{KeyFile: filepath.Join(filepath.Dir(path), "keys", "store.key")})
	if err != nil {
		t.Errorf("keys after test: %v", err)
		return
	}
	if _, err := VerifyAudit(ctx, db, keys); err != nil {
		t.Errorf("audit after test: %v", err)
	}
}

// testJPEG encodes a small noisy image, so its bytes are unlike anything else on disk.
func testJPEG(t *testing.T, seed uint64) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 64))
	r := rand.New(rand.NewPCG(seed, seed+1))
	for y := 0; y < 64; y++ {
		for x := 0; x < 48; x++ {
			img.Set(x, y, color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fullRecord sets every field of flow.Record (TestFullRecordSetsEveryField keeps it so).
func fullRecord(id string) flow.Record {
	return flow.Record{
		ID:           id,
		Step:         flow.StepVideo,
		Mobile:       testMobile,
		NationalCode: testNationalCode,
		Tracking:     testTracking,
		Person: &kyc.Person{NationalCode: testNationalCode, FirstName: testFirstName, LastName: testLastName,
			FatherName: "بهرام", Gender: "female", BirthDate: "1370/04/12", PlaceOfBirth: "شیراز",
			Type: kyc.NaturalPerson, Nationality: "IR", Mobile: testSejamMobile},
		CardSerial:       testCardSerial,
		CardKind:         kyc.SmartCard,
		MobileOTP:        flow.OTPState{ExpiresAt: t0.Add(2 * time.Minute), ResendAt: t0.Add(time.Minute), AttemptsLeft: 4, DemoCode: "123456"},
		SejamOTP:         flow.OTPState{ExpiresAt: t0.Add(3 * time.Minute), ResendAt: t0.Add(2 * time.Minute), AttemptsLeft: 3, DemoCode: "654321"},
		Challenge:        []int{3, 1, 4},
		ChallengeWindows: []sdk.Window{{StartMS: 500, EndMS: 2000}, {StartMS: 2400, EndMS: 3900}, {StartMS: 4300, EndMS: 5800}},
		Attempts:         map[flow.Step]int{flow.StepSelfie: 2, flow.StepMobileOTP: 1},
		Failures:         map[flow.Step]int{flow.StepSelfie: 1},
		Checks: map[flow.Step]flow.CheckResult{
			flow.StepSelfie: {Step: flow.StepSelfie, Attempt: 2, At: t0.Add(5 * time.Minute), Challenge: []int{2, 5},
				Verdict: sdk.Verdict{Outcome: sdk.NeedsReview, Reasons: []string{"verdict.face.match.low"},
					Rules:     []sdk.Rule{{Name: "face.match", Outcome: sdk.NeedsReview, Reason: "verdict.face.match.low", Value: 0.58, Threshold: 0.6, Unit: "ratio"}},
					Artifacts: []sdk.Artifact{{Name: "face.crop", Image: sdk.Image{Data: []byte{1, 2, 3}, Format: "jpeg", Width: 1, Height: 1}, TimestampMS: 7}},
					Score:     0.58, Duration: 120 * time.Millisecond}},
		},
		Media:      map[string]string{"selfie": "ab"},
		ClientIP:   "5.160.0.10",
		Mode:       "kiosk",
		StartedAt:  t0,
		LastActive: t0.Add(6 * time.Minute),
		AcceptedAt: t0.Add(7 * time.Minute),
		Outcome:    "flow.outcome.test",
		LockedFrom: flow.StepSelfie,
	}
}

func ev(name string, from, to flow.Step, at time.Time) flow.Event {
	return flow.Event{From: from, To: to, Name: name, At: at, Detail: "test"}
}

// openRecord is a session at the mobile step with no personal data yet.
func openRecord(id string, started time.Time) flow.Record {
	return flow.Record{ID: id, Step: flow.StepMobile, Mode: "kiosk", StartedAt: started, LastActive: started}
}
