package flow

import (
	"time"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/domain/problem"
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
// "kyc.national_code.checksum"), Args fill its {placeholders}, Err is the cause for logs. Flow
// methods return *Error for anything the person should be told; other errors are internal
// faults. It is domain/problem's type, so adapters build one without importing the flow.
type Error = problem.Error

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
	// Windows are when each number of Challenge was on screen (empty: no windows).
	Windows []sdk.Window
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
	Challenge   []int        // the finger numbers for the video step, left to right
	Windows     []sdk.Window // when each number is on screen, ms from the recording's start (empty: even shares)
	Checks      map[Step]CheckResult
	CanGoBack   bool
	StartedAt   time.Time
	LastActive  time.Time
	IdleExpires time.Time
	// Outcome explains StepRejected / StepLocked / StepExpired as a locale key.
	Outcome string
}
