package flow

import (
	"context"
	"time"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Step is a state of the ten-step flow. The string values are stored in SQLite: never change one.
type Step string

const (
	StepWelcome     Step = "welcome"
	StepMobile      Step = "mobile"      // 1. mobile number
	StepMobileOTP   Step = "mobile_otp"  // 2. SMS code
	StepIdentity    Step = "identity"    // 3. national code + SEJAM tracking code
	StepSejamOTP    Step = "sejam_otp"   // 4. SEJAM verification code
	StepCardSerial  Step = "card_serial" // 5. national card serial (smart card or receipt)
	StepSelfie      Step = "selfie"      // 6. photo
	StepSignature   Step = "signature"   // 7. signature on white paper
	StepVideo       Step = "video"       // 8. selfie video with the finger challenge
	StepReview      Step = "review"      // 9. confirm the data
	StepCommitments Step = "commitments" // 10. accept the commitments
	StepSubmitted   Step = "submitted"   // done: dossier queued for the brokerage
	StepExpired     Step = "expired"     // idle timeout: data wiped
	StepLocked      Step = "locked"      // too many failures: sent to an operator
	StepRejected    Step = "rejected"    // not eligible (age, legal person, foreign …)
)

// Steps lists the ten numbered steps in order (for the progress indicator).
var Steps = []Step{StepMobile, StepMobileOTP, StepIdentity, StepSejamOTP, StepCardSerial,
	StepSelfie, StepSignature, StepVideo, StepReview, StepCommitments}

// Error is a rejection the applicant can act on: Key is a locale key (e.g.
// "kyc.national_code.checksum"), Args fill its {placeholders}. Flow methods return *Error for
// anything the person should be told; other errors are internal faults.
type Error struct {
	Key  string
	Args []string // name, value pairs
	Err  error    // the cause, for logs (never personal data)
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Key + ": " + e.Err.Error()
	}
	return e.Key
}

func (e *Error) Unwrap() error { return e.Err }

// OTPState is what the OTP screens show: when the code expires and when a resend is allowed.
type OTPState struct {
	ExpiresAt    time.Time
	ResendAt     time.Time
	AttemptsLeft int
	// DemoCode is set only by the console SMS provider so the operator screen can show it.
	DemoCode string
}

// CheckResult is a capture step's verdict as the flow recorded it.
type CheckResult struct {
	Step    Step
	Verdict sdk.Verdict
	// Attempt counts captures of this step in this session, from 1.
	Attempt int
	At      time.Time
	// Challenge is the finger challenge the video attempt answered (video step only).
	Challenge []int
}

// Snapshot is everything a screen needs to draw the current state. It is a copy.
type Snapshot struct {
	SessionID   string
	Step        Step
	StepIndex   int // 1..10 for numbered steps, 0 otherwise
	Mobile      kyc.Mobile
	MobileOTP   OTPState
	SejamOTP    OTPState
	Person      *kyc.Person // filled after the SEJAM OTP step
	CardSerial  kyc.CardSerial
	CardKind    kyc.CardKind
	Challenge   []int // the finger numbers for the video step, left to right
	Checks      map[Step]CheckResult
	CanGoBack   bool
	StartedAt   time.Time
	LastActive  time.Time
	IdleExpires time.Time
	// Outcome explains StepRejected / StepLocked / StepExpired as a locale key.
	Outcome string
}

// Driver is what the UI drives. *Machine implements it. Every method that changes state commits
// the transition to the store before returning, so a killed kiosk resumes exactly there.
type Driver interface {
	Snapshot() Snapshot
	// Start opens a new session at the welcome screen.
	Start(ctx context.Context) (Snapshot, error)
	// Resume reopens the newest unfinished, unexpired session, if any (ok=false otherwise).
	Resume(ctx context.Context) (s Snapshot, ok bool, err error)
	Begin(ctx context.Context) error                                         // welcome → mobile
	SubmitMobile(ctx context.Context, raw string) error                      // sends our OTP
	ResendMobileOTP(ctx context.Context) error                               //
	SubmitMobileOTP(ctx context.Context, code string) error                  //
	SubmitIdentity(ctx context.Context, nationalCode, tracking string) error // asks SEJAM to send its OTP
	ResendSejamOTP(ctx context.Context) error                                //
	SubmitSejamOTP(ctx context.Context, code string) error                   // fetches the SEJAM profile
	SubmitCardSerial(ctx context.Context, raw string) error                  // registry check + eligibility
	SubmitSelfie(ctx context.Context, img sdk.Image) (sdk.Verdict, error)
	SubmitSignature(ctx context.Context, img sdk.Image) (sdk.Verdict, error)
	// SubmitVideo sends the recorded frames with the issued challenge; a fresh challenge is issued
	// for every retry.
	SubmitVideo(ctx context.Context, frames []sdk.Frame) (sdk.Verdict, error)
	ConfirmReview(ctx context.Context) error
	AcceptCommitments(ctx context.Context) error // → submitted
	Back(ctx context.Context) error
	// Touch records applicant activity (resets the idle timer).
	Touch(ctx context.Context) error
	// ExpireIfIdle wipes the session when idle past the timeout; reports whether it did.
	ExpireIfIdle(ctx context.Context) (bool, error)
	// Abandon ends the session now (operator reset or applicant cancel) and wipes its data.
	Abandon(ctx context.Context) error
}
