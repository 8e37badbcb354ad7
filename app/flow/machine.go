package flow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ehraz/ehraz/domain/clock"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Deps are the ports a Machine drives. Clock, Challenges and NewID may be nil (system clock,
// CryptoChallenges, random 128-bit hex IDs); the rest are required.
type Deps struct {
	Store       Store
	OTP         OTP
	Sejam       Sejam
	Registry    Registry
	Eligibility Eligibility
	Detectors   Detectors
	Dossier     Dossier
	Clock       Clock
	Challenges  ChallengeSource
	NewID       func() (string, error)
	// Locks keeps lockouts beyond the session (nil: a lock ends with its session). When it also
	// implements PersonUnlocker, an operator's Unlock lifts the person's lock too.
	Locks PersonLocks
	// Camera is the camera's own check, recorded with every selfie and video (nil: none).
	Camera CameraCheck
}

// Config holds the flow's rules. Zero fields take the defaults in brackets.
type Config struct {
	// IdleTimeout wipes a session without activity for this long [3m].
	IdleTimeout time.Duration
	// CaptureAttempts is how many failed captures of one step (selfie, signature, video) send the
	// session to an operator (StepLocked) [3].
	CaptureAttempts int
	// CodeAttempts is how many wrong codes (SMS, SEJAM) or rejected card serials on one step send
	// the session to an operator [10]. The issuers also limit tries per code.
	CodeAttempts int
	// Mode is "kiosk" (in a branch) or "online" ["kiosk"].
	Mode string
	// ClientIP is recorded with each session (the kiosk's address, or the online client's).
	ClientIP string
	// DressCodeReview asks the face plugin to mark selfies for a human dress-code check.
	DressCodeReview bool
	// TouchPersistEvery bounds how often Touch writes LastActive to the store [5s].
	TouchPersistEvery time.Duration
	// MatchFrames is how many video frames are matched against the selfie [3].
	MatchFrames int
	// PersonLockFor is how long a person stays locked out after a session of theirs was locked
	// (with Deps.Locks) [1h]: a new session does not give them fresh tries.
	PersonLockFor time.Duration
	// The guides drawn on screen, in normalized coordinates, passed to the plugins [Guide].
	SelfieGuide, SignatureGuide, VideoGuide sdk.Rect
	// FacePolicy decides every face match from the plugin's estimated false-match rate
	// [DefaultFacePolicy].
	FacePolicy FacePolicy
	// UnlockWithin is how long after it locked an operator may still resume a locked session
	// (the retention of finished sessions: after that its data is purged) [30 days].
	UnlockWithin time.Duration
}

func (c *Config) defaults() {
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 3 * time.Minute
	}
	if c.CaptureAttempts <= 0 {
		c.CaptureAttempts = 3
	}
	if c.CodeAttempts <= 0 {
		c.CodeAttempts = 10
	}
	if c.PersonLockFor <= 0 {
		c.PersonLockFor = time.Hour
	}
	if c.Mode == "" {
		c.Mode = "kiosk"
	}
	if c.UnlockWithin <= 0 {
		c.UnlockWithin = 30 * 24 * time.Hour
	}
	if c.TouchPersistEvery <= 0 {
		c.TouchPersistEvery = 5 * time.Second
	}
	if c.MatchFrames <= 0 {
		c.MatchFrames = 3
	}
	if c.FacePolicy == (FacePolicy{}) {
		c.FacePolicy = DefaultFacePolicy()
	}
	if c.SelfieGuide == (sdk.Rect{}) {
		c.SelfieGuide = Guide(StepSelfie)
	}
	if c.VideoGuide == (sdk.Rect{}) {
		c.VideoGuide = Guide(StepVideo)
	}
	if c.SignatureGuide == (sdk.Rect{}) {
		c.SignatureGuide = Guide(StepSignature)
	}
}

// Guide is the shape the capture screen draws over the preview for step, in normalized frame
// coordinates: the paper frame for the signature, the face oval otherwise. The same rectangle
// goes to the plugins (the Config defaults), so their hints refer to what the applicant sees.
func Guide(step Step) sdk.Rect {
	if step == StepSignature {
		return sdk.Rect{X: 0.1, Y: 0.15, W: 0.8, H: 0.7}
	}
	return sdk.Rect{X: 0.3, Y: 0.1, W: 0.4, H: 0.75}
}

// Machine is the flow's state machine for one kiosk: at most one session at a time. It is safe
// for concurrent use: state-changing calls are serialized, Snapshot never waits for them.
type Machine struct {
	deps Deps
	cfg  Config

	op sync.Mutex // serializes state-changing calls, including their I/O

	mu        sync.RWMutex // guards the fields below
	rec       Record
	has       bool
	lastWrite time.Time             // when the record was last written to the store
	demo      map[OTPPurpose]string // console-provider demo codes, memory only
	media     map[string]sdk.Image  // this process's copies of "registry.photo" and "selfie"
}

// New returns a Machine with no session; call Resume or Start.
func New(deps Deps, cfg Config) (*Machine, error) {
	missing := []string{}
	for name, ok := range map[string]bool{"Store": deps.Store != nil, "OTP": deps.OTP != nil,
		"Sejam": deps.Sejam != nil, "Registry": deps.Registry != nil, "Eligibility": deps.Eligibility != nil,
		"Detectors": deps.Detectors != nil, "Dossier": deps.Dossier != nil} {
		if !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("flow: missing dependencies %v", missing)
	}
	if cfg.Mode != "" && cfg.Mode != "kiosk" && cfg.Mode != "online" {
		return nil, fmt.Errorf("flow: mode %q: want kiosk or online", cfg.Mode)
	}
	cfg.defaults()
	if err := cfg.FacePolicy.Validate(); err != nil {
		return nil, fmt.Errorf("flow: %w", err)
	}
	if deps.Clock == nil {
		deps.Clock = clock.System{}
	}
	if deps.Challenges == nil {
		deps.Challenges = CryptoChallenges{}
	}
	if deps.NewID == nil {
		deps.NewID = randomID
	}
	return &Machine{deps: deps, cfg: cfg, demo: map[OTPPurpose]string{}, media: map[string]sdk.Image{}}, nil
}

func randomID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("flow: session id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

func (m *Machine) now() time.Time { return m.deps.Clock.Now() }

// since is how long ago t was: elapsed time for a time this Machine read in this process (the
// wall clock being set back or forward changes nothing), wall time for one read back from the
// store (see clock.Clock). Idle timeouts and write throttling use it, never a difference of two
// wall readings.
func (m *Machine) since(t time.Time) time.Duration { return clock.Since(m.deps.Clock, t) }

// terminal reports whether a session at step s is over.
func terminal(s Step) bool {
	switch s {
	case StepSubmitted, StepExpired, StepLocked, StepRejected:
		return true
	}
	return false
}

// stepIndex is 1..10 for the numbered steps, 0 otherwise.
func stepIndex(s Step) int {
	return slices.Index(Steps, s) + 1
}

// Snapshot returns a copy of what the screens need. Without a session it is the zero Snapshot.
func (m *Machine) Snapshot() Snapshot {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if !m.has {
		return Snapshot{}
	}
	r := m.rec
	s := Snapshot{
		SessionID:  r.ID,
		Step:       r.Step,
		StepIndex:  stepIndex(r.Step),
		Mobile:     r.Mobile,
		MobileOTP:  r.MobileOTP,
		SejamOTP:   r.SejamOTP,
		CardSerial: r.CardSerial,
		CardKind:   r.CardKind,
		Challenge:  slices.Clone(r.Challenge),
		Windows:    slices.Clone(r.ChallengeWindows),
		Checks:     cloneChecks(r.Checks),
		CanGoBack:  canGoBack(r.Step),
		StartedAt:  r.StartedAt,
		LastActive: r.LastActive,
		Outcome:    r.Outcome,
	}
	s.MobileOTP.DemoCode = m.demo[OTPMobile]
	s.SejamOTP.DemoCode = m.demo[OTPSejam]
	if r.Person != nil {
		p := *r.Person
		s.Person = &p
	}
	if s.StepIndex > 0 {
		s.IdleExpires = r.LastActive.Add(m.cfg.IdleTimeout)
	}
	return s
}

// current returns a copy of the session's record if it is at one of the given steps.
// Call with m.op held.
func (m *Machine) current(steps ...Step) (Record, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if !m.has {
		return Record{}, &Error{Key: "flow.no_session"}
	}
	if !slices.Contains(steps, m.rec.Step) {
		return Record{}, &Error{Key: "flow.wrong_step", Err: fmt.Errorf("at step %s, want %v", m.rec.Step, steps)}
	}
	return cloneRecord(m.rec), nil
}

// commit writes r with the event describing how it got there, then makes it the current state.
// from is the step before the change. Call with m.op held.
func (m *Machine) commit(ctx context.Context, from Step, r Record, name, detail string) error {
	now := m.now()
	r.LastActive = now
	if r.Step == StepLocked && from != StepLocked {
		r.LockedFrom = from // where an operator's Unlock resumes it
	}
	ev := Event{From: from, To: r.Step, Name: name, At: now, Detail: detail}
	if err := m.deps.Store.Save(ctx, r, ev); err != nil {
		return fmt.Errorf("flow: save %s: %w", name, err)
	}
	m.set(r, now)
	if r.Step == StepLocked && from != StepLocked {
		return m.lockPerson(ctx, r, now)
	}
	return nil
}

// lockPerson keeps the person of a session that was just locked out locked beyond it
// (Config.PersonLockFor), so that a new session does not give them fresh tries.
func (m *Machine) lockPerson(ctx context.Context, r Record, now time.Time) error {
	if m.deps.Locks == nil || (r.NationalCode == "" && r.Mobile == "") {
		return nil
	}
	if err := m.deps.Locks.LockPerson(ctx, r.NationalCode, r.Mobile, now.Add(m.cfg.PersonLockFor)); err != nil {
		return fmt.Errorf("flow: lock person: %w", err)
	}
	return nil
}

// personLocked refuses a mobile or national code whose person is locked out by an earlier
// session: flow.person_locked, with the minutes left.
func (m *Machine) personLocked(ctx context.Context, nc kyc.NationalCode, mobile kyc.Mobile) error {
	if m.deps.Locks == nil {
		return nil
	}
	now := m.now()
	until, locked, err := m.deps.Locks.PersonLocked(ctx, nc, mobile, now)
	if err != nil {
		return fmt.Errorf("flow: person lock: %w", err)
	}
	if !locked {
		return nil
	}
	minutes := int((until.Sub(now) + time.Minute - 1) / time.Minute) // rounded up: never "0 minutes"
	return &Error{Key: "flow.person_locked", Args: []string{"minutes", strconv.Itoa(minutes)}}
}

func (m *Machine) set(r Record, wrote time.Time) {
	m.mu.Lock()
	m.rec, m.has, m.lastWrite = r, true, wrote
	m.mu.Unlock()
}

// end wipes the session's personal data and media and leaves it at a terminal step with outcome.
// If the session's row is gone (ErrSessionGone: purged behind the flow's back) there is nothing
// left to wipe in the store: the session still ends in memory, so the kiosk moves on, and the
// error is returned wrapped for callers that want to know. Call with m.op held.
func (m *Machine) end(ctx context.Context, r Record, step Step, outcome, name string) error {
	from := r.Step
	w := wiped(r)
	w.Step, w.Outcome = step, outcome
	now := m.now()
	ev := Event{From: from, To: step, Name: name, At: now, Detail: outcome}
	var gone error
	if err := m.deps.Store.Wipe(ctx, w, ev); err != nil {
		if !errors.Is(err, ErrSessionGone) {
			return fmt.Errorf("flow: wipe session (%s): %w", name, err)
		}
		gone = fmt.Errorf("flow: wipe session (%s): %w", name, err)
	}
	m.mu.Lock()
	m.rec, m.has, m.lastWrite = w, true, now
	clear(m.demo)
	clear(m.media)
	m.mu.Unlock()
	return gone
}

// Start opens a new session at the welcome screen. An unfinished session still held by this
// Machine is abandoned (and wiped) first.
func (m *Machine) Start(ctx context.Context) (Snapshot, error) {
	m.op.Lock()
	defer m.op.Unlock()
	m.mu.RLock()
	prev, had := cloneRecord(m.rec), m.has
	m.mu.RUnlock()
	if had && !terminal(prev.Step) {
		// A record that is gone has nothing left to end: start afresh.
		if err := m.end(ctx, prev, StepExpired, "flow.outcome.abandoned", "abandoned"); err != nil && !errors.Is(err, ErrSessionGone) {
			return m.Snapshot(), err
		}
	}
	if err := m.create(ctx); err != nil {
		return m.Snapshot(), err
	}
	return m.Snapshot(), nil
}

// create writes a new session at the welcome screen and makes it the current one. Call with m.op
// held.
func (m *Machine) create(ctx context.Context) error {
	id, err := m.deps.NewID()
	if err != nil {
		return err
	}
	now := m.now()
	r := Record{ID: id, Step: StepWelcome, Mode: m.cfg.Mode, ClientIP: m.cfg.ClientIP, StartedAt: now,
		LastActive: now, Attempts: map[Step]int{}, Failures: map[Step]int{}, Checks: map[Step]CheckResult{},
		Media: map[string]string{}}
	if err := m.deps.Store.Create(ctx, r, Event{To: StepWelcome, Name: "started", At: now, Detail: m.cfg.Mode}); err != nil {
		return fmt.Errorf("flow: create session: %w", err)
	}
	m.mu.Lock()
	clear(m.demo)
	clear(m.media)
	m.mu.Unlock()
	m.set(r, now)
	return nil
}

// Resume reopens the newest open session. One idle past the timeout is expired (wiped) instead
// and ok is false. The resumption is recorded ("resumed") and restarts the idle timer, so the
// applicant standing at a restarted kiosk gets the full time. Resuming at the video step issues a
// fresh challenge: the old one may have been seen before the restart.
func (m *Machine) Resume(ctx context.Context) (Snapshot, bool, error) {
	m.op.Lock()
	defer m.op.Unlock()
	r, ok, err := m.deps.Store.LatestOpen(ctx)
	if err != nil {
		return Snapshot{}, false, fmt.Errorf("flow: resume: %w", err)
	}
	if !ok || terminal(r.Step) {
		return Snapshot{}, false, nil
	}
	r = normalizeRecord(r)
	m.mu.Lock()
	clear(m.demo)
	clear(m.media)
	m.mu.Unlock()
	if m.since(r.LastActive) > m.cfg.IdleTimeout {
		if err := m.end(ctx, r, StepExpired, "flow.outcome.expired", "expired"); err != nil {
			return Snapshot{}, false, err
		}
		return Snapshot{}, false, nil
	}
	if r.Step == StepVideo {
		c, err := m.newChallenge()
		if err != nil {
			return Snapshot{}, false, err
		}
		r.setChallenge(c)
	}
	if err := m.commit(ctx, r.Step, r, "resumed", ""); err != nil {
		return Snapshot{}, false, err
	}
	return m.Snapshot(), true, nil
}

// userError turns a validator's rejection (a *problem.Error, which is *Error) into a flow *Error.
func userError(err error) error {
	var ke *Error
	if errors.As(err, &ke) {
		return &Error{Key: ke.Key, Args: slices.Clone(ke.Args)}
	}
	return fmt.Errorf("flow: validate: %w", err)
}

// serviceError passes an applicant-facing *Error through and turns anything else into the
// generic "service unavailable, try again" (the cause kept for logs).
func serviceError(err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	return &Error{Key: "service.unavailable", Err: err}
}
