package flow

import (
	"context"
	"fmt"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Driver is what the UI drives. *Machine implements it. Every call that changes state commits
// the transition to the store before returning, so a killed kiosk resumes exactly there, and
// returns the snapshot after the call — also with an error, which may itself have changed the
// state (a wrong code that locks the session, a refused card that ends it).
type Driver interface {
	// Snapshot is the current state (the idle watch and screens that redraw without acting).
	Snapshot() Snapshot
	// Start opens a new session at the welcome screen.
	Start(ctx context.Context) (Snapshot, error)
	// Resume reopens the newest unfinished, unexpired session, if any (ok=false otherwise).
	Resume(ctx context.Context) (s Snapshot, ok bool, err error)
	// Submit answers the current step (see Answer). A capture's verdict is the snapshot's
	// Checks[a.Step()].
	Submit(ctx context.Context, a Answer) (Snapshot, error)
	// Resend sends the code of an OTP step again (the issuer enforces the cooldown).
	Resend(ctx context.Context, p OTPPurpose) (Snapshot, error)
	// Back returns to the previous step where the rules allow it.
	Back(ctx context.Context) (Snapshot, error)
	// Touch records applicant activity (resets the idle timer).
	Touch(ctx context.Context) error
	// ExpireIfIdle wipes the session when idle past the timeout; wiped reports whether it did.
	ExpireIfIdle(ctx context.Context) (s Snapshot, wiped bool, err error)
	// Abandon ends the session now (operator reset or applicant cancel) and wipes its data.
	Abandon(ctx context.Context) (Snapshot, error)
}

// Answer is what the applicant gives at one step: one type per step. An answer submitted while
// the session is at another step (a screen that was already replaced) is refused with
// "flow.wrong_step" and changes nothing.
type Answer interface {
	// Step is the step the answer is for.
	Step() Step
	answer()
}

type (
	// Begin leaves the welcome screen for the first step.
	Begin struct{}
	// MobileNumber is step 1: the number as typed; our SMS code is sent to it.
	MobileNumber struct{ Raw string }
	// MobileCode is step 2: the SMS code.
	MobileCode struct{ Raw string }
	// Identity is step 3: the national code and the SEJAM tracking code, as typed; SEJAM sends
	// its code to the mobile registered there.
	Identity struct{ NationalCode, Tracking string }
	// SejamCode is step 4: SEJAM's code; the profile is fetched with it.
	SejamCode struct{ Raw string }
	// Card is step 5: the national card's serial, checked with the civil registry, then the
	// eligibility rules.
	Card struct{ Serial string }
	// Selfie is step 6: the photo, checked and matched against the registry photo.
	Selfie struct{ Image sdk.Image }
	// Signature is step 7: the photo of the signature on white paper.
	Signature struct{ Image sdk.Image }
	// Video is step 8: the recorded frames answering the issued finger challenge (a retry gets
	// a fresh challenge).
	Video struct{ Frames []sdk.Frame }
	// ConfirmReview is step 9: the data shown is right.
	ConfirmReview struct{}
	// AcceptCommitments is step 10: the commitments are accepted; the dossier is queued.
	AcceptCommitments struct{}
)

func (Begin) Step() Step             { return StepWelcome }
func (MobileNumber) Step() Step      { return StepMobile }
func (MobileCode) Step() Step        { return StepMobileOTP }
func (Identity) Step() Step          { return StepIdentity }
func (SejamCode) Step() Step         { return StepSejamOTP }
func (Card) Step() Step              { return StepCardSerial }
func (Selfie) Step() Step            { return StepSelfie }
func (Signature) Step() Step         { return StepSignature }
func (Video) Step() Step             { return StepVideo }
func (ConfirmReview) Step() Step     { return StepReview }
func (AcceptCommitments) Step() Step { return StepCommitments }

func (Begin) answer()             {}
func (MobileNumber) answer()      {}
func (MobileCode) answer()        {}
func (Identity) answer()          {}
func (SejamCode) answer()         {}
func (Card) answer()              {}
func (Selfie) answer()            {}
func (Signature) answer()         {}
func (Video) answer()             {}
func (ConfirmReview) answer()     {}
func (AcceptCommitments) answer() {}

var _ Driver = (*Machine)(nil)

// Submit implements Driver: it runs the step's rules (steps.go, capture.go) and returns the
// snapshot after them.
func (m *Machine) Submit(ctx context.Context, a Answer) (Snapshot, error) {
	var err error
	switch a := a.(type) {
	case Begin:
		err = m.begin(ctx)
	case MobileNumber:
		err = m.submitMobile(ctx, a.Raw)
	case MobileCode:
		err = m.submitMobileOTP(ctx, a.Raw)
	case Identity:
		err = m.submitIdentity(ctx, a.NationalCode, a.Tracking)
	case SejamCode:
		err = m.submitSejamOTP(ctx, a.Raw)
	case Card:
		err = m.submitCardSerial(ctx, a.Serial)
	case Selfie:
		err = m.submitSelfie(ctx, a.Image)
	case Signature:
		err = m.submitSignature(ctx, a.Image)
	case Video:
		err = m.submitVideo(ctx, a.Frames)
	case ConfirmReview:
		err = m.confirmReview(ctx)
	case AcceptCommitments:
		err = m.acceptCommitments(ctx)
	default:
		err = fmt.Errorf("flow: unknown answer %T", a)
	}
	return m.Snapshot(), err
}

// Resend implements Driver.
func (m *Machine) Resend(ctx context.Context, p OTPPurpose) (Snapshot, error) {
	var err error
	switch p {
	case OTPMobile:
		err = m.resendMobileOTP(ctx)
	case OTPSejam:
		err = m.resendSejamOTP(ctx)
	default:
		err = fmt.Errorf("flow: resend: unknown code %q", p)
	}
	return m.Snapshot(), err
}

// Back implements Driver.
func (m *Machine) Back(ctx context.Context) (Snapshot, error) {
	err := m.back(ctx)
	return m.Snapshot(), err
}

// Abandon implements Driver.
func (m *Machine) Abandon(ctx context.Context) (Snapshot, error) {
	err := m.abandon(ctx)
	return m.Snapshot(), err
}

// ExpireIfIdle implements Driver.
func (m *Machine) ExpireIfIdle(ctx context.Context) (Snapshot, bool, error) {
	wiped, err := m.expireIfIdle(ctx)
	return m.Snapshot(), wiped, err
}
