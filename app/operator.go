package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ehraz/ehraz/app/detect"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/outbox"
	"github.com/ehraz/ehraz/app/store"
	"github.com/ehraz/ehraz/app/ui"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// operatorSessions adapts the store to what operator mode reads; an override on a session
// already submitted also goes to the back office as a signed amendment (ob).
type operatorSessions struct {
	st  *store.Store
	ob  *outbox.Outbox
	now func() time.Time
}

var _ ui.Sessions = operatorSessions{}

// Day lists the sessions started on day's local calendar day.
func (o operatorSessions) Day(ctx context.Context, day time.Time) ([]ui.SessionSummary, error) {
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, day.Location())
	rows, err := o.st.Sessions(ctx, from, from.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	out := make([]ui.SessionSummary, len(rows))
	for i, r := range rows {
		out[i] = ui.SessionSummary{ID: r.ID, Step: r.Step, StartedAt: r.StartedAt, NeedsReview: r.NeedsReview}
	}
	return out, nil
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
		out.Photos = append(out.Photos, sdk.Image{Data: p.Data, Format: p.Format})
	}
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

// pluginHealth adapts the plugin host's health to operator mode.
type pluginHealth struct{ host *detect.Host }

var _ ui.Health = pluginHealth{}

func (p pluginHealth) Plugins(context.Context) []ui.PluginHealth {
	var out []ui.PluginHealth
	for _, h := range p.host.Health() {
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
	sb := p.host.Sandbox()
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
