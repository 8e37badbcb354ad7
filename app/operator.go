package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ehraz/ehraz/app/detect"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/kiosk"
	"github.com/ehraz/ehraz/app/outbox"
	"github.com/ehraz/ehraz/app/store"
	"github.com/ehraz/ehraz/app/ui"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// operatorSessions adapts the store to what operator mode reads; an override on a session
// already submitted also goes to the back office as a signed amendment (ob).
type operatorSessions struct {
	st   *store.Store
	ob   *outbox.Outbox
	flow *flow.Machine // resumes a locked session (Unlock)
	now  func() time.Time
}

var _ ui.Sessions = operatorSessions{}

// Day lists the sessions started on day's local calendar day.
func (o operatorSessions) Day(ctx context.Context, day time.Time) ([]ui.SessionSummary, error) {
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, day.Location())
	rows, err := o.st.Sessions(ctx, from, from.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	return summaries(rows), nil
}

func summaries(rows []store.Summary) []ui.SessionSummary {
	out := make([]ui.SessionSummary, len(rows))
	for i, r := range rows {
		out[i] = ui.SessionSummary{ID: r.ID, Step: r.Step, StartedAt: r.StartedAt, NeedsReview: r.NeedsReview}
	}
	return out
}

// FindTracking lists the sessions of any day with this SEJAM tracking code (by its keyed hash).
func (o operatorSessions) FindTracking(ctx context.Context, code string) ([]ui.SessionSummary, error) {
	tc, err := kyc.ParseTrackingCode(code)
	if err != nil {
		return nil, err
	}
	rows, err := o.st.FindTracking(ctx, tc)
	if err != nil {
		return nil, err
	}
	return summaries(rows), nil
}

// Unlock resumes a locked session through the flow (which records it with the operator and the
// reason in the audit chain).
func (o operatorSessions) Unlock(ctx context.Context, id, operator, reason string) (flow.Snapshot, error) {
	if o.flow == nil {
		return flow.Snapshot{}, errors.New("operator: no flow to resume the session in")
	}
	return o.flow.Unlock(ctx, id, operator, reason)
}

func (o operatorSessions) Detail(ctx context.Context, id string) (ui.SessionDetail, error) {
	d, err := o.st.Detail(ctx, id)
	if err != nil {
		return ui.SessionDetail{}, err
	}
	out := ui.SessionDetail{Summary: ui.SessionSummary{ID: d.ID, Step: d.Step, StartedAt: d.StartedAt, NeedsReview: d.NeedsReview}}
	for _, c := range d.Checks {
		out.Checks = append(out.Checks, c.Result())
	}
	for _, p := range d.Photos {
		out.Photos = append(out.Photos, ui.Photo{Name: p.Name, Image: sdk.Image{Data: p.Data, Format: p.Format}})
	}
	r := d.Record
	if r.Person != nil {
		out.Name = strings.TrimSpace(r.Person.FirstName + " " + r.Person.LastName)
	}
	if r.NationalCode != "" {
		out.NationalCodeMasked = r.NationalCode.Masked()
	}
	if d.Step == flow.StepLocked {
		out.LockedFrom = r.LockedFrom
		if out.LockedFrom == "" { // locked before the flow noted the step: the outcome names it
			if s := flow.Step(strings.TrimPrefix(r.Outcome, "flow.outcome.locked_")); slices.Contains(flow.Steps, s) {
				out.LockedFrom = s
			}
		}
	}
	out.Matches = faceMatches(r)
	if len(d.Video) > 0 {
		if out.Video, err = flow.DecodeVideo(d.Video); err != nil {
			return out, fmt.Errorf("operator: session video: %w", err)
		}
	}
	return out, nil
}

// Override records the decision with the operator's name at the head of the reason, so the
// stored decision and its audit line name who made it.
func (o operatorSessions) Override(ctx context.Context, id string, step flow.Step, outcome sdk.Outcome, operator, reason string) error {
	if err := o.st.Override(ctx, id, step, outcome, "operator "+operator+": "+reason); err != nil {
		return err
	}
	if o.ob == nil {
		return nil
	}
	err := o.ob.Amend(ctx, id, dossier.AmendOverride, string(step), outcome.String(), operator, reason)
	if errors.Is(err, outbox.ErrNotSubmitted) {
		return nil // not submitted yet: the override goes with the dossier
	}
	return err
}

// faceMatches are the face comparisons in a session's recorded checks, with the band the face
// policy put each in (its "face.match.policy" rule, else the check's outcome).
func faceMatches(r flow.Record) []ui.FaceMatch {
	var out []ui.FaceMatch
	for _, st := range []flow.Step{flow.StepSelfie, flow.StepVideo} {
		c, ok := r.Checks[st]
		if !ok || c.Verdict.Match == nil {
			continue
		}
		band := c.Verdict.Outcome.Effective()
		for _, rule := range c.Verdict.Rules {
			if rule.Name == "face.match.policy" {
				band = rule.Outcome.Effective()
			}
		}
		m := c.Verdict.Match
		out = append(out, ui.FaceMatch{Step: st, Distance: m.Distance, EstimatedFMR: m.EstimatedFMR, Band: band, Calibration: m.Calibration})
	}
	return out
}

// outboxQueue adapts the outbox to operator mode's delivery panel.
type outboxQueue struct{ ob *outbox.Outbox }

var _ ui.Outbox = outboxQueue{}

func (q outboxQueue) Status(ctx context.Context) (ui.OutboxStatus, error) {
	h, err := q.ob.Health(ctx)
	if err != nil {
		return ui.OutboxStatus{}, err
	}
	rows, err := q.ob.Queue(ctx, 20)
	if err != nil {
		return ui.OutboxStatus{}, err
	}
	st := ui.OutboxStatus{Pending: h.Pending, Refused: h.Refused, Oldest: h.OldestPending}
	for _, r := range rows {
		st.Rows = append(st.Rows, ui.OutboxRow{SessionID: r.SessionID, Kind: r.Kind, State: r.State, Attempts: r.Attempts,
			NextAttempt: r.NextAttempt, LastError: r.LastError})
	}
	return st, nil
}

func (q outboxQueue) RetryNow(ctx context.Context) (int, error) { return q.ob.RetryNow(ctx) }

// pluginHealth adapts the plugin host's health to operator mode (while the host starts beside
// the window it says so).
type pluginHealth struct{ p *kiosk.Plugins }

var _ ui.Health = pluginHealth{}

func (p pluginHealth) Plugins(context.Context) []ui.PluginHealth {
	host, ok := p.p.Host()
	if !ok {
		if done, err := p.p.Started(); done {
			return []ui.PluginHealth{{Name: "plugins", OK: false, Detail: fmt.Sprintf("did not start: %v", err)}}
		}
		return []ui.PluginHealth{{Name: "plugins", Starting: true}}
	}
	var out []ui.PluginHealth
	for _, h := range host.Health() {
		detail := string(h.State)
		if h.Info.Version != "" {
			detail = fmt.Sprintf("%s %s (%s), restarts %d", h.Info.Name, h.Info.Version, h.State, h.Restarts)
		}
		if h.LastError != "" {
			detail += ": " + h.LastError
		}
		out = append(out, ui.PluginHealth{Name: h.Name, OK: h.State == detect.StateUp, Detail: detail})
	}
	// The sandbox's guards: what this machine could not enforce is shown to the operator, not
	// only logged.
	sb := host.Sandbox()
	missing := sb.Unenforced()
	detail := fmt.Sprintf("all %d guards enforced", len(sb.Guards))
	if len(missing) > 0 {
		var names []string
		for _, g := range missing {
			names = append(names, g.Name+" NOT ENFORCED ("+g.Detail+")")
		}
		detail = strings.Join(names, "; ")
	}
	out = append(out, ui.PluginHealth{Name: "sandbox", OK: len(missing) == 0, Detail: detail})
	return out
}
