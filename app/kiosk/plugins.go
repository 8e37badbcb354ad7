package kiosk

import (
	"context"
	"errors"
	"fmt"

	"github.com/ehraz/ehraz/app/detect"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Plugins is the detector plugin host as the flow and the screens use it, also while it is still
// starting (Options.PluginsInBackground: the window is shown first). A check asked for before the
// host is up waits for it (within the call's context); live hints say the checks are starting;
// vendor texts and health say so too.
type Plugins struct {
	ready chan struct{}
	host  *detect.Host
	err   error
}

var (
	_ flow.Detectors    = (*Plugins)(nil)
	_ sdk.FrameAnalyzer = (*Plugins)(nil)
)

// HintStarting is the live hint shown on a capture screen while the plugins start.
const HintStarting = "ui.hints.plugins_starting"

func newPlugins() *Plugins { return &Plugins{ready: make(chan struct{})} }

// set records the started host (nil with the error that stopped it) and wakes the waiters.
func (p *Plugins) set(h *detect.Host, err error) {
	p.host, p.err = h, err
	close(p.ready)
}

// Host is the plugin host once it has started (ok false while it starts, or when it failed).
func (p *Plugins) Host() (*detect.Host, bool) {
	select {
	case <-p.ready:
		return p.host, p.host != nil
	default:
		return nil, false
	}
}

// Started reports whether starting is over, and its error.
func (p *Plugins) Started() (bool, error) {
	select {
	case <-p.ready:
		return true, p.err
	default:
		return false, nil
	}
}

// wait returns the host, waiting for it to start.
func (p *Plugins) wait(ctx context.Context) (*detect.Host, error) {
	select {
	case <-p.ready:
		if p.host == nil {
			return nil, fmt.Errorf("kiosk: plugins did not start: %w", p.err)
		}
		return p.host, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("kiosk: waiting for the plugins to start: %w", ctx.Err())
	}
}

func (p *Plugins) CheckSelfie(ctx context.Context, req sdk.SelfieRequest) (sdk.Verdict, error) {
	h, err := p.wait(ctx)
	if err != nil {
		return sdk.Verdict{}, err
	}
	return h.CheckSelfie(ctx, req)
}

func (p *Plugins) MatchFaces(ctx context.Context, req sdk.MatchRequest) (sdk.Verdict, error) {
	h, err := p.wait(ctx)
	if err != nil {
		return sdk.Verdict{}, err
	}
	return h.MatchFaces(ctx, req)
}

func (p *Plugins) CheckSignature(ctx context.Context, req sdk.SignatureRequest) (sdk.Verdict, error) {
	h, err := p.wait(ctx)
	if err != nil {
		return sdk.Verdict{}, err
	}
	return h.CheckSignature(ctx, req)
}

func (p *Plugins) CheckLiveness(ctx context.Context, req sdk.LivenessRequest) (sdk.Verdict, error) {
	h, err := p.wait(ctx)
	if err != nil {
		return sdk.Verdict{}, err
	}
	return h.CheckLiveness(ctx, req)
}

// AnalyzeFrame gives the host's live hints, or "the checks are starting" while it starts: the
// preview runs at once and never waits.
func (p *Plugins) AnalyzeFrame(ctx context.Context, req sdk.FrameRequest) (sdk.FrameAnalysis, error) {
	h, ok := p.Host()
	if !ok {
		if done, _ := p.Started(); done {
			return sdk.FrameAnalysis{}, errors.New("kiosk: plugins did not start")
		}
		return sdk.FrameAnalysis{Hints: []sdk.Hint{{Key: HintStarting, Severity: 1}}}, nil
	}
	return h.AnalyzeFrame(ctx, req)
}

// Text is a plugin's verified text for a key (none while the host starts).
func (p *Plugins) Text(lang, key string) (string, bool) {
	h, ok := p.Host()
	if !ok {
		return "", false
	}
	return h.Text(lang, key)
}
