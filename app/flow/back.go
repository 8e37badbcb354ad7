package flow

import "context"

// backTo says where Back goes from each step; a step not listed has no way back:
//   - never back past a verified code (identity after the SMS code, the card step after the SEJAM
//     code) and never into the middle of a code: going back from a code step returns to the form
//     that sent it, and the code is forgotten;
//   - not from the selfie to the card step: the card was verified with the registry and the
//     eligibility rules were applied;
//   - the capture steps, review and commitments can go back one step to retake or re-read;
//   - nothing goes back from the welcome screen or a finished session.
var backTo = map[Step]Step{
	StepMobile:      StepWelcome,
	StepMobileOTP:   StepMobile,
	StepSejamOTP:    StepIdentity,
	StepSignature:   StepSelfie,
	StepVideo:       StepSignature,
	StepReview:      StepVideo,
	StepCommitments: StepReview,
}

func canGoBack(s Step) bool {
	_, ok := backTo[s]
	return ok
}

// back returns to the previous step where the rules above allow it.
func (m *Machine) back(ctx context.Context) error {
	m.op.Lock()
	defer m.op.Unlock()
	m.mu.RLock()
	r, has := cloneRecord(m.rec), m.has
	m.mu.RUnlock()
	if !has {
		return &Error{Key: "flow.no_session"}
	}
	to, ok := backTo[r.Step]
	if !ok {
		return &Error{Key: "flow.back.not_allowed"}
	}
	from := r.Step
	switch from {
	case StepMobileOTP:
		r.Mobile, r.MobileOTP = "", OTPState{}
		m.keepDemo(OTPMobile, OTPState{})
	case StepSejamOTP:
		r.NationalCode, r.Tracking, r.SejamOTP = "", "", OTPState{}
		m.keepDemo(OTPSejam, OTPState{})
	case StepVideo:
		r.clearChallenge()
	case StepReview:
		c, err := m.newChallenge()
		if err != nil {
			return err
		}
		r.setChallenge(c)
	}
	r.Step = to
	return m.commit(ctx, from, r, "back", "")
}
