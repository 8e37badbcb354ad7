package flow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ehraz/ehraz/domain/clock"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// memStore is an in-memory Store and MediaReader. Records go through JSON like the SQLite
// store's sealed blob, so a field that does not survive serialization fails the tests here too.
type memStore struct {
	mu      sync.Mutex
	order   []string
	records map[string][]byte
	events  map[string][]Event
	media   map[string]map[string]storedMedia
	wiped   map[string]bool
	failOn  string // Save fails when the event has this name
	saves   int
}

type storedMedia struct {
	data   []byte
	format string
}

func newMemStore() *memStore {
	return &memStore{records: map[string][]byte{}, events: map[string][]Event{},
		media: map[string]map[string]storedMedia{}, wiped: map[string]bool{}}
}

func (s *memStore) put(r Record, ev Event) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	s.records[r.ID] = b
	s.events[r.ID] = append(s.events[r.ID], ev)
	return nil
}

func (s *memStore) Create(_ context.Context, r Record, ev Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.records[r.ID]; dup {
		return fmt.Errorf("duplicate session %s", r.ID)
	}
	s.order = append(s.order, r.ID)
	return s.put(r, ev)
}

func (s *memStore) Save(_ context.Context, r Record, ev Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.records[r.ID]; !ok {
		return fmt.Errorf("no session %s: %w", r.ID, ErrSessionGone)
	}
	if s.failOn != "" && ev.Name == s.failOn {
		return errors.New("disk full")
	}
	s.saves++
	return s.put(r, ev)
}

func (s *memStore) Load(_ context.Context, id string) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.records[id]
	if !ok {
		return Record{}, fmt.Errorf("no session %s", id)
	}
	var r Record
	err := json.Unmarshal(b, &r)
	return r, err
}

func (s *memStore) LatestOpen(ctx context.Context) (Record, bool, error) {
	s.mu.Lock()
	ids := slices.Clone(s.order)
	s.mu.Unlock()
	for i := len(ids) - 1; i >= 0; i-- {
		r, err := s.Load(ctx, ids[i])
		if err != nil {
			return Record{}, false, err
		}
		if !terminal(r.Step) {
			return r, true, nil
		}
	}
	return Record{}, false, nil
}

func (s *memStore) PutMedia(_ context.Context, id, name, format string, data []byte) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.media[id] == nil {
		s.media[id] = map[string]storedMedia{}
	}
	s.media[id][name] = storedMedia{slices.Clone(data), format}
	return fmt.Sprintf("sha-%s-%d", name, len(data)), nil
}

func (s *memStore) ReadMedia(_ context.Context, id, name string) ([]byte, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id][name]
	if !ok {
		return nil, "", fmt.Errorf("no media %s", name)
	}
	return slices.Clone(m.data), m.format, nil
}

func (s *memStore) Wipe(_ context.Context, r Record, ev Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.records[r.ID]; !ok {
		return fmt.Errorf("no session %s: %w", r.ID, ErrSessionGone)
	}
	delete(s.media, r.ID)
	s.wiped[r.ID] = true
	return s.put(r, ev)
}

// drop deletes a session's row, events and media, as a retention purge does behind the flow's back.
func (s *memStore) drop(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, id)
	delete(s.events, id)
	delete(s.media, id)
	s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
}

func (s *memStore) eventNames(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.events[id] {
		out = append(out, e.Name)
	}
	return out
}

func (s *memStore) mediaNames(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.media[id] {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// storeOnly hides memStore's ReadMedia: a store that cannot hand media back.
type storeOnly struct{ Store }

const (
	goodOTP   = "123456"
	goodSejam = "55555"
)

// fakeOTP accepts goodOTP; wrong codes count down 5 tries like the real service.
type fakeOTP struct {
	mu    sync.Mutex
	clock Clock
	sends []string
	left  int
	err   error // returned by Send when set
}

func (o *fakeOTP) Send(_ context.Context, id string, mobile kyc.Mobile) (OTPState, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return OTPState{}, o.err
	}
	o.sends = append(o.sends, string(mobile))
	o.left = 5
	now := o.clock.Now()
	return OTPState{ExpiresAt: now.Add(2 * time.Minute), ResendAt: now.Add(time.Minute), AttemptsLeft: 5,
		DemoCode: goodOTP}, nil
}

func (o *fakeOTP) Verify(_ context.Context, id, code string) (OTPState, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if code != goodOTP {
		o.left--
		return OTPState{AttemptsLeft: o.left}, &Error{Key: "otp.wrong_code", Args: []string{"left", fmt.Sprint(o.left)}}
	}
	return OTPState{}, nil
}

// applicant is one person known to the fake SEJAM and registry.
type applicant struct {
	person   kyc.Person
	tracking string
	serial   string
	photo    bool
}

const (
	ncAdult = "0076229645"
	mobile  = "09121234567"
)

func adult() applicant {
	return applicant{person: kyc.Person{NationalCode: ncAdult, FirstName: "علي", LastName: "كريمي",
		FatherName: "حسن", Gender: "male", BirthDate: "1370/05/12", PlaceOfBirth: "تهران",
		Type: kyc.NaturalPerson, Nationality: "IR", Mobile: mobile},
		tracking: "1402000001", serial: "1G23456789", photo: true}
}

type fakeSejam struct {
	mu     sync.Mutex
	people map[string]applicant
	err    error // returned by RequestOTP when set
}

func (s *fakeSejam) RequestOTP(_ context.Context, nc kyc.NationalCode, tracking kyc.TrackingCode, mob kyc.Mobile) (OTPState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return OTPState{}, s.err
	}
	a, ok := s.people[string(nc)]
	switch {
	case !ok:
		return OTPState{}, &Error{Key: "sejam.not_registered"}
	case a.tracking != string(tracking):
		return OTPState{}, &Error{Key: "sejam.tracking_mismatch"}
	case a.person.Mobile != mob:
		return OTPState{}, &Error{Key: "sejam.mobile_not_owned"}
	}
	return OTPState{AttemptsLeft: 3, DemoCode: goodSejam}, nil
}

func (s *fakeSejam) Profile(_ context.Context, nc kyc.NationalCode, otp string) (kyc.Person, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if otp != goodSejam {
		return kyc.Person{}, &Error{Key: "sejam.otp_wrong"}
	}
	return s.people[string(nc)].person, nil
}

type fakeRegistry struct {
	mu     sync.Mutex
	people map[string]applicant
	err    error
	calls  int
}

func (r *fakeRegistry) VerifyCard(_ context.Context, nc kyc.NationalCode, birth string, serial kyc.CardSerial) (RegistryRecord, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.err != nil {
		return RegistryRecord{}, r.err
	}
	a, ok := r.people[string(nc)]
	switch {
	case !ok:
		return RegistryRecord{}, &Error{Key: "registry.not_found"}
	case a.person.BirthDate != birth:
		return RegistryRecord{}, &Error{Key: "registry.birth_date_mismatch"}
	case a.serial != string(serial):
		return RegistryRecord{}, &Error{Key: "registry.serial_mismatch"}
	}
	rec := RegistryRecord{Person: a.person, Kind: kyc.SmartCard, Alive: true}
	if a.photo {
		rec.Photo = sdk.Image{Data: []byte("registry-photo"), Format: "jpeg"}
	}
	return rec, nil
}

// fakeEligibility applies the real age rule through kyc and the person-type rules.
type fakeEligibility struct {
	err error
}

func (e *fakeEligibility) Check(_ context.Context, p kyc.Person, now time.Time) error {
	if e.err != nil {
		return e.err
	}
	switch {
	case p.Type == kyc.LegalPerson:
		return &Error{Key: "eligibility.legal_person"}
	case p.Type != kyc.NaturalPerson || p.Nationality != "IR":
		return &Error{Key: "eligibility.foreign_national"}
	}
	d, err := kyc.ParseJalali(p.BirthDate)
	if err != nil {
		return &Error{Key: "eligibility.birth_date_invalid"}
	}
	age, err := kyc.AgeOn(d, now)
	if err != nil || age < 18 {
		return &Error{Key: "eligibility.under_18"}
	}
	return nil
}

// fakeDetectors answers from queues of verdicts (the last one repeats); the default is a pass.
// It records what it was asked.
type fakeDetectors struct {
	mu         sync.Mutex
	selfie     []sdk.Verdict
	match      []sdk.Verdict
	noEstimate bool // MatchFaces gives no sdk.MatchScore, like a plugin without a calibration
	signature  []sdk.Verdict
	liveness   []sdk.Verdict
	errAll     error
	challenges [][]int
	matchRefs  [][]byte

	lastChallenge sdk.Challenge // the last liveness request's challenge, with its windows
}

func next(q *[]sdk.Verdict) sdk.Verdict {
	if len(*q) == 0 {
		return sdk.Verdict{Outcome: sdk.Pass}
	}
	v := (*q)[0]
	if len(*q) > 1 {
		*q = (*q)[1:]
	}
	return v
}

func (d *fakeDetectors) CheckSelfie(context.Context, sdk.SelfieRequest) (sdk.Verdict, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return next(&d.selfie), d.errAll
}

func (d *fakeDetectors) MatchFaces(_ context.Context, req sdk.MatchRequest) (sdk.Verdict, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.matchRefs = append(d.matchRefs, req.Reference.Data)
	v := next(&d.match)
	if v.Match == nil && !d.noEstimate {
		// A calibrated plugin: an estimate the default face policy judges as the plugin did.
		est := map[sdk.Outcome]float64{sdk.Pass: 0.001, sdk.NeedsReview: 0.5, sdk.Fail: 0.99}
		if e, ok := est[v.Outcome]; ok {
			v.Match = &sdk.MatchScore{Distance: e, EstimatedFMR: e, Calibration: "fake"}
		}
	}
	return v, d.errAll
}

func (d *fakeDetectors) CheckSignature(context.Context, sdk.SignatureRequest) (sdk.Verdict, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	v := next(&d.signature)
	if v.Outcome == sdk.Pass {
		v.Artifacts = []sdk.Artifact{{Name: "signature.clean", Image: sdk.Image{Data: []byte("clean"), Format: "png"}}}
	}
	return v, d.errAll
}

func (d *fakeDetectors) CheckLiveness(_ context.Context, req sdk.LivenessRequest) (sdk.Verdict, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.challenges = append(d.challenges, slices.Clone(req.Challenge.Numbers))
	d.lastChallenge = req.Challenge
	return next(&d.liveness), d.errAll
}

type fakeDossier struct {
	mu  sync.Mutex
	ids []string
	err error
}

func (d *fakeDossier) Enqueue(_ context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return d.err
	}
	d.ids = append(d.ids, id)
	return nil
}

// seqChallenges issues 1-2-3, 2-3-4, 3-4-5, 4-5-1 … so every challenge differs from the last.
type seqChallenges struct {
	mu sync.Mutex
	n  int
}

func (s *seqChallenges) NewChallenge() ([]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return []int{(s.n-1)%5 + 1, s.n%5 + 1, (s.n+1)%5 + 1}, nil
}

// rig is a Machine with fakes of every port.
type rig struct {
	t     *testing.T
	m     *Machine
	store *memStore
	clock *clock.Virtual // Advance lets time pass; Jump sets the wall clock
	otp   *fakeOTP
	sejam *fakeSejam
	reg   *fakeRegistry
	elig  *fakeEligibility
	det   *fakeDetectors
	dos   *fakeDossier
	chal  *seqChallenges
	cfg   Config
	ctx   context.Context
	idMu  sync.Mutex
	ids   int
}

func newRig(t *testing.T) *rig {
	t.Helper()
	people := map[string]applicant{ncAdult: adult()}
	clk := clock.NewVirtual(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	r := &rig{t: t, store: newMemStore(), clock: clk, otp: &fakeOTP{clock: clk},
		sejam: &fakeSejam{people: people}, reg: &fakeRegistry{people: people}, elig: &fakeEligibility{},
		det: &fakeDetectors{}, dos: &fakeDossier{}, chal: &seqChallenges{},
		cfg: Config{IdleTimeout: 3 * time.Minute}, ctx: context.Background()}
	r.m = r.machine(r.store)
	return r
}

func (r *rig) deps(s Store) Deps {
	return Deps{Store: s, OTP: r.otp, Sejam: r.sejam, Registry: r.reg, Eligibility: r.elig,
		Detectors: r.det, Dossier: r.dos, Clock: r.clock, Challenges: r.chal,
		NewID: func() (string, error) {
			r.idMu.Lock()
			defer r.idMu.Unlock()
			r.ids++
			return fmt.Sprintf("session-%d", r.ids), nil
		}}
}

// machine builds another Machine over store s (a restarted kiosk).
func (r *rig) machine(s Store) *Machine {
	r.t.Helper()
	m, err := New(r.deps(s), r.cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	return m
}

func (r *rig) step() Step { return r.m.Snapshot().Step }

func (r *rig) must(err error) {
	r.t.Helper()
	if err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) wantStep(s Step) {
	r.t.Helper()
	if got := r.step(); got != s {
		r.t.Fatalf("step %s, want %s", got, s)
	}
}

var (
	jpeg   = sdk.Image{Data: []byte("selfie-jpeg"), Format: "jpeg"}
	sigImg = sdk.Image{Data: []byte("signature-jpeg"), Format: "jpeg"}
)

func frames(n int) []sdk.Frame {
	out := make([]sdk.Frame, n)
	for i := range out {
		out[i] = sdk.Frame{Image: sdk.Image{Data: []byte(fmt.Sprintf("frame-%d", i)), Format: "jpeg"},
			TimestampMS: int64(i) * 125}
	}
	return out
}

// advance performs the happy action of the current step once.
func (r *rig) advance() {
	r.t.Helper()
	switch s := r.step(); s {
	case "":
		_, err := r.m.Start(r.ctx)
		r.must(err)
	case StepWelcome:
		r.must(r.do(Begin{}))
	case StepMobile:
		r.must(r.do(MobileNumber{"+98 912 123 4567"}))
	case StepMobileOTP:
		r.must(r.do(MobileCode{"۱۲۳۴۵۶"}))
	case StepIdentity:
		r.must(r.do(Identity{"۰۰۷۶۲۲۹۶۴۵", "1402000001"}))
	case StepSejamOTP:
		r.must(r.do(SejamCode{goodSejam}))
	case StepCardSerial:
		r.must(r.do(Card{"1g23456789"}))
	case StepSelfie:
		r.must(r.do(Selfie{jpeg}))
	case StepSignature:
		r.must(r.do(Signature{sigImg}))
	case StepVideo:
		r.must(r.do(Video{frames(16)}))
	case StepReview:
		r.must(r.do(ConfirmReview{}))
	case StepCommitments:
		r.must(r.do(AcceptCommitments{}))
	default:
		r.t.Fatalf("no happy action at step %s", s)
	}
}

// walk advances until the session is at step to.
func (r *rig) walk(to Step) {
	r.t.Helper()
	for i := 0; r.step() != to; i++ {
		if i > 20 {
			r.t.Fatalf("did not reach %s (at %s)", to, r.step())
		}
		r.advance()
	}
}

// stored loads the session's record from the store.
func (r *rig) stored() Record {
	r.t.Helper()
	rec, err := r.store.Load(r.ctx, r.m.Snapshot().SessionID)
	if err != nil {
		r.t.Fatal(err)
	}
	return rec
}

// wantKey fails unless err is a *Error with key.
func wantKey(t *testing.T, err error, key string) {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v, want *flow.Error %s", err, key)
	}
	if fe.Key != key {
		t.Fatalf("key %s (%v), want %s", fe.Key, fe, key)
	}
}

// do submits a through the Driver API and returns its error.
func (r *rig) do(a Answer) error {
	_, err := r.m.Submit(r.ctx, a)
	return err
}

// check submits a capture and returns the verdict the snapshot records for its step.
func (r *rig) check(a Answer) (sdk.Verdict, error) {
	snap, err := r.m.Submit(r.ctx, a)
	return snap.Checks[a.Step()].Verdict, err
}

// submit is do for a table of calls on a given Machine.
func submit(m *Machine, a Answer) error {
	_, err := m.Submit(context.Background(), a)
	return err
}

// errOf keeps the error of a call that returns the snapshot.
func errOf(_ Snapshot, err error) error { return err }
