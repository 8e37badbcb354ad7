package flow

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/domain/text"
)

// Keys of rejections that mean "the applicant typed a wrong code": they count towards
// Config.CodeAttempts. Expired codes and rate limits do not.
var wrongCodeKeys = []string{"otp.wrong_code", "sejam.otp_wrong"}

// Registry answers that end the session (the applicant cannot fix them at the kiosk); other
// registry rejections (a mistyped serial, a revoked or old card) let them try again.
var registryFinalKeys = []string{"registry.deceased", "registry.not_found", "registry.birth_date_mismatch"}

// Eligibility answers that are not final: the check could not run, try again.
var eligibilityRetryKeys = []string{"eligibility.unavailable", "eligibility.ip_unknown"}

// begin moves from the welcome screen to the first step. Should the welcome session's row be gone
// (deleted while the kiosk sat on the welcome screen) a new session is begun instead: the welcome
// screen holds nothing of the applicant's, so nothing is lost.
func (m *Machine) begin(ctx context.Context) error {
	m.op.Lock()
	defer m.op.Unlock()
	r, err := m.current(StepWelcome)
	if err != nil {
		return err
	}
	r.Step = StepMobile
	err = m.commit(ctx, StepWelcome, r, "begun", "")
	if !errors.Is(err, ErrSessionGone) {
		return err
	}
	if err := m.create(ctx); err != nil {
		return err
	}
	if r, err = m.current(StepWelcome); err != nil {
		return err
	}
	r.Step = StepMobile
	return m.commit(ctx, StepWelcome, r, "begun", "")
}

// keepDemo remembers a console provider's demo code in memory and returns the state without it.
func (m *Machine) keepDemo(p OTPPurpose, st OTPState) OTPState {
	m.mu.Lock()
	m.demo[p] = st.DemoCode
	m.mu.Unlock()
	st.DemoCode = ""
	return st
}

// submitMobile validates the number and sends our OTP to it.
func (m *Machine) submitMobile(ctx context.Context, raw string) error {
	m.op.Lock()
	defer m.op.Unlock()
	r, err := m.current(StepMobile)
	if err != nil {
		return err
	}
	mobile, op, err := kyc.ParseMobile(raw)
	if err != nil {
		return userError(err)
	}
	if err := m.personLocked(ctx, "", mobile); err != nil {
		return err
	}
	st, err := m.deps.OTP.Send(ctx, r.ID, mobile)
	if err != nil {
		return serviceError(err)
	}
	r.Mobile, r.MobileOTP = mobile, m.keepDemo(OTPMobile, st)
	r.Step = StepMobileOTP
	return m.commit(ctx, StepMobile, r, "mobile.submitted", string(op))
}

// resendMobileOTP sends a new SMS code (the OTP service enforces the cooldown).
func (m *Machine) resendMobileOTP(ctx context.Context) error {
	m.op.Lock()
	defer m.op.Unlock()
	r, err := m.current(StepMobileOTP)
	if err != nil {
		return err
	}
	st, err := m.deps.OTP.Send(ctx, r.ID, r.Mobile)
	if err != nil {
		return serviceError(err)
	}
	r.MobileOTP = m.keepDemo(OTPMobile, st)
	return m.commit(ctx, r.Step, r, "mobile_otp.resent", "")
}

// submitMobileOTP checks our SMS code.
func (m *Machine) submitMobileOTP(ctx context.Context, raw string) error {
	m.op.Lock()
	defer m.op.Unlock()
	r, err := m.current(StepMobileOTP)
	if err != nil {
		return err
	}
	code, err := kyc.OTPCode(raw)
	if err != nil {
		return userError(err)
	}
	st, err := m.deps.OTP.Verify(ctx, r.ID, code)
	if err != nil {
		fe := serviceError(err)
		if !slices.Contains(wrongCodeKeys, fe.Key) {
			return fe
		}
		if st != (OTPState{}) {
			r.MobileOTP = m.keepDemo(OTPMobile, st)
		}
		return m.countRejection(ctx, r, fe, "mobile_otp.wrong")
	}
	r.MobileOTP = OTPState{}
	m.keepDemo(OTPMobile, OTPState{})
	r.Step = StepIdentity
	return m.commit(ctx, StepMobileOTP, r, "mobile_otp.verified", "")
}

// countRejection records a wrong code or a rejected serial on the current step and returns fe;
// reaching Config.CodeAttempts sends the session to an operator.
func (m *Machine) countRejection(ctx context.Context, r Record, fe *Error, name string) error {
	from := r.Step
	r.Failures[from]++
	if r.Failures[from] >= m.cfg.CodeAttempts {
		r.Step, r.Outcome = StepLocked, "flow.outcome.locked_codes"
	}
	if err := m.commit(ctx, from, r, name, fe.Key); err != nil {
		return err
	}
	return fe
}

// submitIdentity validates the national code and the SEJAM tracking code and asks SEJAM to send
// its code to the registered mobile (SEJAM also checks that the kiosk mobile is the person's).
func (m *Machine) submitIdentity(ctx context.Context, nationalCode, tracking string) error {
	m.op.Lock()
	defer m.op.Unlock()
	r, err := m.current(StepIdentity)
	if err != nil {
		return err
	}
	nc, err := kyc.ParseNationalCode(nationalCode)
	if err != nil {
		return userError(err)
	}
	tr, err := kyc.ParseTrackingCode(tracking)
	if err != nil {
		return userError(err)
	}
	if err := m.personLocked(ctx, nc, ""); err != nil {
		return err
	}
	st, err := m.deps.Sejam.RequestOTP(ctx, nc, tr, r.Mobile)
	if err != nil {
		return serviceError(err)
	}
	r.NationalCode, r.Tracking, r.SejamOTP = nc, tr, m.keepDemo(OTPSejam, st)
	r.Step = StepSejamOTP
	return m.commit(ctx, StepIdentity, r, "identity.submitted", "")
}

// resendSejamOTP asks SEJAM for a new code.
func (m *Machine) resendSejamOTP(ctx context.Context) error {
	m.op.Lock()
	defer m.op.Unlock()
	r, err := m.current(StepSejamOTP)
	if err != nil {
		return err
	}
	st, err := m.deps.Sejam.RequestOTP(ctx, r.NationalCode, r.Tracking, r.Mobile)
	if err != nil {
		return serviceError(err)
	}
	r.SejamOTP = m.keepDemo(OTPSejam, st)
	return m.commit(ctx, r.Step, r, "sejam_otp.resent", "")
}

// submitSejamOTP fetches the SEJAM profile with the code SEJAM sent.
func (m *Machine) submitSejamOTP(ctx context.Context, raw string) error {
	m.op.Lock()
	defer m.op.Unlock()
	r, err := m.current(StepSejamOTP)
	if err != nil {
		return err
	}
	code, err := kyc.OTPCode(raw)
	if err != nil {
		return userError(err)
	}
	p, err := m.deps.Sejam.Profile(ctx, r.NationalCode, code)
	if err != nil {
		fe := serviceError(err)
		if !slices.Contains(wrongCodeKeys, fe.Key) {
			return fe
		}
		return m.countRejection(ctx, r, fe, "sejam_otp.wrong")
	}
	p = normalizePerson(p)
	if p.NationalCode == "" {
		p.NationalCode = r.NationalCode
	}
	if p.NationalCode != r.NationalCode {
		return &Error{Key: "service.unavailable", Err: fmt.Errorf("flow: SEJAM profile is for another national code")}
	}
	r.Person = &p
	r.SejamOTP = OTPState{}
	m.keepDemo(OTPSejam, OTPState{})
	r.Step = StepCardSerial
	return m.commit(ctx, StepSejamOTP, r, "sejam_otp.verified", string(p.Type))
}

// normalizePerson writes SEJAM's answer the way the flow stores it: Persian letters in names,
// ASCII digits, the birth date as YYYY/MM/DD and the mobile as 09XXXXXXXXX where they parse
// (a date that does not parse is kept as given: eligibility rejects it with its own key).
func normalizePerson(p kyc.Person) kyc.Person {
	p.FirstName = text.NormalizeName(p.FirstName)
	p.LastName = text.NormalizeName(p.LastName)
	p.FatherName = text.NormalizeName(p.FatherName)
	p.PlaceOfBirth = text.NormalizeName(p.PlaceOfBirth)
	p.NationalCode = kyc.NationalCode(text.ASCIIDigits(string(p.NationalCode)))
	if d, err := kyc.ParseJalali(p.BirthDate); err == nil {
		p.BirthDate = d.String()
	}
	if mob, _, err := kyc.ParseMobile(string(p.Mobile)); err == nil {
		p.Mobile = mob
	}
	return p
}

// submitCardSerial validates the serial, asks the civil registry whether it belongs to this
// person, stores the registry photo and applies the eligibility rules. A final registry or
// eligibility answer ends the session (StepRejected, data wiped).
func (m *Machine) submitCardSerial(ctx context.Context, raw string) error {
	m.op.Lock()
	defer m.op.Unlock()
	r, err := m.current(StepCardSerial)
	if err != nil {
		return err
	}
	serial, kind, err := kyc.ParseCardSerial(raw)
	if err != nil {
		return userError(err)
	}
	if r.Person == nil {
		return &Error{Key: "service.unavailable", Err: fmt.Errorf("flow: no SEJAM profile at the card step")}
	}
	reg, err := m.deps.Registry.VerifyCard(ctx, r.NationalCode, r.Person.BirthDate, serial)
	if err != nil {
		fe := serviceError(err)
		switch {
		case slices.Contains(registryFinalKeys, fe.Key):
			if err := m.end(ctx, r, StepRejected, fe.Key, "card.rejected"); err != nil {
				return err
			}
			return fe
		case fe.Key == "service.unavailable" || fe.Key == "registry.unavailable" || fe.Key == "registry.timeout":
			return fe
		}
		return m.countRejection(ctx, r, fe, "card.rejected")
	}
	if err := m.deps.Eligibility.Check(ctx, *r.Person, m.now()); err != nil {
		fe := serviceError(err)
		if fe.Key == "service.unavailable" || slices.Contains(eligibilityRetryKeys, fe.Key) {
			return fe
		}
		if err := m.end(ctx, r, StepRejected, fe.Key, "not_eligible"); err != nil {
			return err
		}
		return fe
	}
	if len(reg.Photo.Data) > 0 {
		sum, err := m.deps.Store.PutMedia(ctx, r.ID, "registry.photo", reg.Photo.Format, reg.Photo.Data)
		if err != nil {
			return fmt.Errorf("flow: store registry photo: %w", err)
		}
		r.Media["registry.photo"] = sum
		m.keepMedia("registry.photo", reg.Photo)
	}
	if reg.Kind != "" {
		kind = reg.Kind
	}
	r.CardSerial, r.CardKind = serial, kind
	r.Step = StepSelfie
	return m.commit(ctx, StepCardSerial, r, "card.verified", string(kind))
}

// confirmReview records that the applicant confirmed the data shown.
func (m *Machine) confirmReview(ctx context.Context) error {
	m.op.Lock()
	defer m.op.Unlock()
	r, err := m.current(StepReview)
	if err != nil {
		return err
	}
	r.Step = StepCommitments
	return m.commit(ctx, StepReview, r, "review.confirmed", "")
}

// acceptCommitments records the acceptance (AcceptedAt), commits the session as submitted and
// queues the dossier. The submission is committed first: if queueing fails it is not lost — the
// session records "dossier.enqueue_failed", its Outcome says the dossier is saved and waits to be
// sent, and the call returns an *Error with that key (the cause attached for the log).
func (m *Machine) acceptCommitments(ctx context.Context) error {
	m.op.Lock()
	defer m.op.Unlock()
	r, err := m.current(StepCommitments)
	if err != nil {
		return err
	}
	r.AcceptedAt = m.now()
	r.Step = StepSubmitted
	if err := m.commit(ctx, StepCommitments, r, "commitments.accepted", ""); err != nil {
		return err
	}
	if qerr := m.deps.Dossier.Enqueue(ctx, r.ID); qerr != nil {
		r, _ = m.current(StepSubmitted)
		r.Outcome = "flow.outcome.queue_pending"
		if err := m.commit(ctx, StepSubmitted, r, "dossier.enqueue_failed", ""); err != nil {
			return fmt.Errorf("flow: dossier not queued (%v) and not recorded: %w", qerr, err)
		}
		return &Error{Key: "flow.outcome.queue_pending", Err: fmt.Errorf("flow: enqueue dossier: %w", qerr)}
	}
	return nil
}
