package flow

import (
	"context"
	"errors"
	"time"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// The flow talks to the world only through these interfaces. Errors meant for the applicant
// are *Error values carrying a locale key (e.g. the SEJAM client maps "not registered" to
// "sejam.not_registered"); anything else is treated as a service fault and shown as
// "service unavailable, try again".

// OTPPurpose tells the two one-time codes apart.
type OTPPurpose string

const (
	OTPMobile OTPPurpose = "mobile" // our own code, to the number typed at the kiosk
	OTPSejam  OTPPurpose = "sejam"  // SEJAM's code, to the number registered in SEJAM
)

// OTP issues and verifies our own one-time codes (hashes stored, expiry, tries, cooldown,
// rate limits per number and per kiosk).
type OTP interface {
	Send(ctx context.Context, sessionID string, mobile kyc.Mobile) (OTPState, error)
	Verify(ctx context.Context, sessionID, code string) (OTPState, error)
}

// Sejam is the SEJAM broker API (or its simulator).
type Sejam interface {
	// RequestOTP checks that nationalCode is registered with this tracking code and that the
	// mobile typed at the kiosk belongs to this person (Shahkar rule), then makes SEJAM send its
	// code to the registered mobile.
	RequestOTP(ctx context.Context, nationalCode kyc.NationalCode, tracking kyc.TrackingCode, mobile kyc.Mobile) (OTPState, error)
	// Profile returns the person's SEJAM profile when otp is right.
	Profile(ctx context.Context, nationalCode kyc.NationalCode, otp string) (kyc.Person, error)
}

// RegistryRecord is the civil registry's answer for a card.
type RegistryRecord struct {
	Person kyc.Person
	Kind   kyc.CardKind
	Alive  bool
	// Photo is the registry's reference photo for the face match (may be empty: then the match
	// is "could not verify" and goes to an operator).
	Photo sdk.Image
}

// Registry is the civil-registry inquiry (or its simulator).
type Registry interface {
	VerifyCard(ctx context.Context, nationalCode kyc.NationalCode, birthDate string, serial kyc.CardSerial) (RegistryRecord, error)
}

// Eligibility applies the rules that decide whether this person may use remote verification
// (age ≥ 18 on the Jalali calendar, Iranian natural person, client IP for online use, once
// per national code). A rejection is an *Error with a locale key.
type Eligibility interface {
	Check(ctx context.Context, p kyc.Person, now time.Time) error
}

// Detectors are the plugin checks, as the detect host provides them. A plugin fault comes back
// as a CouldNotVerify verdict, not an error.
type Detectors interface {
	sdk.FaceDetector
	sdk.SignatureDetector
	sdk.LivenessDetector
}

// Dossier is what leaves for the brokerage when the applicant accepts the commitments.
type Dossier interface {
	Enqueue(ctx context.Context, sessionID string) error
}

// PersonLocks remembers, beyond one session, that a person was locked out for too many wrong
// codes, serials or captures, so that "new session" does not give them fresh tries. Keys are the
// national code and the mobile; the store keeps only keyed hashes of them.
type PersonLocks interface {
	LockPerson(ctx context.Context, nc kyc.NationalCode, mobile kyc.Mobile, until time.Time) error
	// PersonLocked is true when either value (one may be empty) is locked out at now.
	PersonLocked(ctx context.Context, nc kyc.NationalCode, mobile kyc.Mobile, now time.Time) (until time.Time, locked bool, err error)
}

// Clock is time, injectable for tests. A Clock that also has Since (clock.Clock: the system
// clock, clock.Virtual) measures idle time on a clock that setting the wall clock does not move;
// one with Now only is measured on Now.
type Clock interface{ Now() time.Time }

// CameraCheck is the camera's own check of the frames it delivered lately: whether the device
// is one the kiosk allows and whether its frames look like a sensor's rather than synthetic or
// re-encoded ones (capture.Measured). Its rules are recorded with the selfie's and the video's
// verdicts; anything but a pass makes them needs-review at least (a fail stays a fail).
type CameraCheck interface {
	CheckCamera(ctx context.Context) sdk.Verdict
}

// ChallengeSource issues a fresh finger-number challenge (left to right).
type ChallengeSource interface {
	NewChallenge() ([]int, error)
}

// Record is the whole durable state of one session. The flow owns its meaning; the store keeps
// it (personal fields and media encrypted at rest) and hands it back unchanged, so a killed
// kiosk resumes exactly where it was.
type Record struct {
	ID           string
	Step         Step
	Mobile       kyc.Mobile       // after step 1
	NationalCode kyc.NationalCode // after step 3
	Tracking     kyc.TrackingCode // after step 3
	Person       *kyc.Person
	CardSerial   kyc.CardSerial
	CardKind     kyc.CardKind
	// MobileOTP and SejamOTP are the codes' timers as the issuers reported them (never the code:
	// OTPState.DemoCode is kept in memory only).
	MobileOTP OTPState
	SejamOTP  OTPState
	Challenge []int // the current, unused finger challenge (left to right)
	// ChallengeWindows are when each number of Challenge is on screen, in ms from the video
	// recording's start (empty: a challenge without windows, shown one third each).
	ChallengeWindows []sdk.Window
	// Attempts and Failures count tries per step (captures, codes); lockouts read them.
	Attempts map[Step]int
	Failures map[Step]int
	Checks   map[Step]CheckResult
	// Media names the stored media of this session (e.g. "selfie", "signature", "video",
	// "registry.photo") with their SHA-256 (hex) as the store reported them.
	Media      map[string]string
	ClientIP   string
	Mode       string // "kiosk" or "online"
	StartedAt  time.Time
	LastActive time.Time
	AcceptedAt time.Time // commitments accepted
	Outcome    string    // locale key explaining rejected / locked / expired
	// LockedFrom is the step a locked session was at when it locked (set by the flow when it
	// locks): an operator's Unlock resumes it there.
	LockedFrom Step `json:",omitempty"`
}

// Event is one transition, appended to the session's history (and the audit chain) in the same
// transaction as the new Record.
type Event struct {
	From, To Step
	Name     string // what happened, e.g. "mobile.submitted", "selfie.checked", "back", "expired"
	At       time.Time
	// Detail is a short non-personal note (a reason key, an outcome); never a national code,
	// name, number or code.
	Detail string
}

// MediaReader is implemented by stores that can hand a session's stored media back (decrypted).
// The flow uses it after a restart to find the registry photo and the selfie for face matching;
// without it those matches answer "could not verify" after a restart.
type MediaReader interface {
	ReadMedia(ctx context.Context, sessionID, name string) (data []byte, format string, err error)
}

// ErrSessionGone is wrapped by a Store's error when the session's record is not there (purged
// by hand or by a retention run while it was on screen). The flow then starts afresh instead of
// failing on a session it cannot end.
var ErrSessionGone = errors.New("the session's record is gone")

// ErrStorageFull is wrapped by a Store's error when the disk holding the sessions is full: the
// change was not made, the session is as it was, and the applicant is told to ask for staff.
var ErrStorageFull = errors.New("the kiosk's storage is full")

// Store keeps sessions durably. Every method that changes state is atomic.
type Store interface {
	// Create writes a new session.
	Create(ctx context.Context, r Record, ev Event) error
	// Save replaces the session's record and appends ev, in one transaction.
	Save(ctx context.Context, r Record, ev Event) error
	// Load returns one session.
	Load(ctx context.Context, id string) (Record, error)
	// LatestOpen returns the newest session that is not finished, expired, locked or rejected.
	LatestOpen(ctx context.Context) (Record, bool, error)
	// PutMedia stores one captured file encrypted and returns its SHA-256 (hex, of the plain
	// bytes). Storing the same name again replaces it (a retake).
	PutMedia(ctx context.Context, sessionID, name, format string, data []byte) (string, error)
	// Wipe deletes the session's personal data and media now (expiry, abandon), keeping only
	// non-personal step history and the audit hashes; r is the already-wiped record to keep.
	Wipe(ctx context.Context, r Record, ev Event) error
}
