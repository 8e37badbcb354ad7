package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/png" // stored signatures may be PNG
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/pin"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// SessionSummary is one row of today's sessions in operator mode.
type SessionSummary struct {
	ID        string
	Step      flow.Step
	StartedAt time.Time
	// NeedsReview is true when a check asks for a human decision.
	NeedsReview bool
}

// SessionDetail is one session as the operator reviews it.
type SessionDetail struct {
	Summary SessionSummary
	Checks  []flow.CheckResult
	// Photos are the captured stills (selfie, signature), decrypted by the store for display.
	Photos []sdk.Image
	// Video is the recorded selfie video as frames, played back in place.
	Video []sdk.Frame
}

// Sessions is what operator mode needs from the session store.
type Sessions interface {
	Today(ctx context.Context) ([]SessionSummary, error)
	Detail(ctx context.Context, id string) (SessionDetail, error)
	// Override records the operator's decision on one check with a written reason.
	Override(ctx context.Context, id string, step flow.Step, outcome sdk.Outcome, reason string) error
}

// PluginHealth is one detector plugin's state for the operator.
type PluginHealth struct {
	Name   string
	OK     bool
	Detail string // a locale key or a short technical note
}

// Health reports the detector plugins' state (the plugin host).
type Health interface {
	Plugins(ctx context.Context) []PluginHealth
}

// pinLimiter allows a few wrong PINs, then locks operator login for a while.
type pinLimiter struct {
	failures    int
	lockedUntil time.Time
}

const (
	pinMaxFailures = 5
	pinLockout     = 5 * time.Minute
)

func (p *pinLimiter) locked(now time.Time) bool { return now.Before(p.lockedUntil) }

func (p *pinLimiter) fail(now time.Time) {
	p.failures++
	if p.failures >= pinMaxFailures {
		p.failures = 0
		p.lockedUntil = now.Add(pinLockout)
	}
}

// operatorState is operator mode's own navigation.
type operatorState struct {
	loggedIn bool
	view     string // "pin", "home", "detail"
	session  string
	err      string
}

func (u *UI) setOperator(o *operatorState) {
	u.mu.Lock()
	u.oper = o
	u.mu.Unlock()
	u.render(u.opt.Flow.Snapshot())
}

func (u *UI) showOperatorLogin() { u.setOperator(&operatorState{view: "pin"}) }

func (u *UI) operatorScreen(o *operatorState) fyne.CanvasObject {
	if !o.loggedIn {
		return u.pinScreen(o)
	}
	exit := u.iconButton(u.T("operator.exit"), theme.LogoutIcon(), func() { u.setOperator(nil) })
	title := u.heading(u.raw("operator.title"))
	header := container.NewBorder(nil, nil, nil, nil, title)
	if u.layer.RTL {
		header = container.NewBorder(nil, nil, exit, nil, title)
	} else {
		header = container.NewBorder(nil, nil, nil, exit, title)
	}
	var body fyne.CanvasObject
	if o.view == "detail" {
		body = u.operatorDetail(o)
	} else {
		body = u.operatorHome(o)
	}
	return container.NewBorder(container.NewVBox(header, widget.NewSeparator()), nil, nil, nil, container.NewPadded(body))
}

func (u *UI) pinScreen(o *operatorState) fyne.CanvasObject {
	entry := u.newField("operator.pin.label", pin.MaxDigits, "")
	entry.active, entry.mask = true, true
	entry.refresh()
	msg := widget.NewLabelWithStyle("", u.layer.Align(), fyne.TextStyle{Bold: true})
	msg.Importance = widget.DangerImportance
	if o.err != "" {
		msg.SetText(u.T(o.err))
	} else {
		msg.Hide()
	}
	ok := widget.NewButton(u.T("operator.pin.enter"), func() {
		now := u.opt.Now()
		u.mu.Lock()
		locked := u.pinFail.locked(now)
		u.mu.Unlock()
		switch {
		case u.opt.PINHash == "":
			o.err = "operator.pin.not_configured"
		case locked:
			o.err = "operator.pin.locked"
		case pin.Check(u.opt.PINHash, entry.String()):
			o.loggedIn, o.view, o.err = true, "home", ""
		default:
			u.mu.Lock()
			u.pinFail.fail(now)
			u.mu.Unlock()
			o.err = "operator.pin.wrong"
		}
		u.setOperator(o)
	})
	ok.Importance = widget.HighImportance
	cancel := widget.NewButton(u.T("operator.cancel"), func() { u.setOperator(nil) })
	pad := u.keypad(func() *field { return entry })
	body := container.NewVBox(u.heading(u.raw("operator.pin.title")), entry.view(), msg, pad,
		container.NewCenter(u.tall(container.NewHBox(u.layer.Order([]fyne.CanvasObject{ok, cancel})...))))
	return container.NewCenter(body)
}

func (u *UI) operatorHome(o *operatorState) fyne.CanvasObject {
	sessions := container.NewVBox(u.heading(u.raw("operator.sessions.title")))
	if u.opt.Sessions == nil {
		sessions.Add(u.label("operator.unavailable"))
	} else {
		list, err := u.opt.Sessions.Today(u.ctx)
		switch {
		case err != nil:
			sessions.Add(u.label("operator.sessions.error"))
		case len(list) == 0:
			sessions.Add(u.label("operator.sessions.none"))
		}
		for _, s := range list {
			s := s
			status := u.raw("ui.step." + string(s.Step) + ".title")
			if s.NeedsReview {
				status += " — " + u.raw("operator.needs_review")
			}
			line := s.StartedAt.Format("15:04") + "  " + shortID(s.ID) + "  " + status
			b := widget.NewButton(u.layer.Text(line), func() {
				o.view, o.session = "detail", s.ID
				u.setOperator(o)
			})
			b.Alignment = widget.ButtonAlign(u.layer.Align())
			sessions.Add(b)
		}
	}
	health := container.NewVBox(u.heading(u.raw("operator.health.title")))
	if u.opt.Camera == nil {
		health.Add(u.label("operator.camera.none"))
	} else {
		inf := u.opt.Camera.Info()
		// Width and height as separate words: «۶۴۰×۴۸۰» would be reordered in a Persian line.
		w, h, fps := fmt.Sprint(inf.Width), fmt.Sprint(inf.Height), fmt.Sprintf("%.0f", inf.FPS)
		switch inf.Kind {
		case "webcam":
			health.Add(u.label("operator.camera.webcam", "w", w, "h", h, "fps", fps))
		case "file":
			health.Add(u.label("operator.camera.file", "w", w, "h", h, "fps", fps))
		default:
			health.Add(u.label("operator.camera.demo", "w", w, "h", h, "fps", fps))
		}
	}
	if u.opt.Health == nil {
		health.Add(u.label("operator.plugins.unavailable"))
	} else {
		for _, p := range u.opt.Health.Plugins(u.ctx) {
			key := "operator.plugin.ok"
			if !p.OK {
				key = "operator.plugin.down"
			}
			health.Add(u.label(key, "name", p.Name))
		}
	}
	reset := u.iconButton(u.T("operator.reset"), theme.ViewRefreshIcon(), func() {
		u.setOperator(nil)
		u.act(func(ctx context.Context) (flow.Snapshot, error) {
			if snap, err := u.opt.Flow.Abandon(ctx); err != nil {
				return snap, err
			}
			return u.opt.Flow.Start(ctx)
		})
	})
	reset.Importance = widget.DangerImportance
	// Closing the kiosk is an operator action: the window's close button only opens this mode.
	quit := u.iconButton(u.T("operator.quit"), theme.CancelIcon(), func() { u.app.Quit() })
	health.Add(layout.NewSpacer())
	health.Add(u.layer.Row(reset, quit))
	return container.NewGridWithColumns(2, u.layer.Order([]fyne.CanvasObject{container.NewVScroll(sessions), health})...)
}

func (u *UI) operatorDetail(o *operatorState) fyne.CanvasObject {
	back := u.iconButton(u.T("ui.back"), u.backIcon(), func() {
		o.view = "home"
		u.setOperator(o)
	})
	back.IconPlacement = u.iconOutside()
	box := container.NewVBox(u.layer.Start(back))
	if u.opt.Sessions == nil {
		box.Add(u.label("operator.unavailable"))
		return box
	}
	d, err := u.opt.Sessions.Detail(u.ctx, o.session)
	if err != nil {
		box.Add(u.label("operator.sessions.error"))
		return box
	}
	box.Add(u.heading(u.raw("operator.session.title", "id", shortID(d.Summary.ID))))
	if len(d.Photos) > 0 {
		thumbs := make([]fyne.CanvasObject, 0, len(d.Photos))
		for _, p := range d.Photos {
			if img := decodeImage(p); img != nil {
				ci := canvas.NewImageFromImage(img)
				ci.FillMode = canvas.ImageFillContain
				thumbs = append(thumbs, container.NewGridWrap(u.sz(240, 180), ci))
			}
		}
		box.Add(u.layer.Row(thumbs...))
	}
	if len(d.Video) > 0 {
		box.Add(u.videoPlayer(d.Video))
	}
	reason := widget.NewMultiLineEntry() // the operator writes the reason; a keyboard is at the counter
	reason.SetPlaceHolder(u.T("operator.override.reason"))
	msg := widget.NewLabel("")
	for _, c := range d.Checks {
		c := c
		box.Add(u.heading(u.raw("ui.step."+string(c.Step)+".title") + " — " + u.raw("ui.verdict."+c.Verdict.Outcome.Effective().String())))
		for _, r := range c.Verdict.Reasons {
			box.Add(u.bullet(r, 64))
		}
		override := func(out sdk.Outcome) func() {
			return func() {
				if strings.TrimSpace(reason.Text) == "" {
					msg.SetText(u.T("operator.override.reason_required"))
					return
				}
				if err := u.opt.Sessions.Override(u.ctx, d.Summary.ID, c.Step, out, reason.Text); err != nil {
					msg.SetText(u.T("operator.override.failed"))
					return
				}
				msg.SetText(u.T("operator.override.done"))
			}
		}
		box.Add(u.layer.Row(widget.NewButton(u.T("operator.override.pass"), override(sdk.Pass)),
			widget.NewButton(u.T("operator.override.fail"), override(sdk.Fail))))
	}
	box.Add(reason)
	box.Add(msg)
	return container.NewVScroll(box)
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// videoPlayer plays recorded frames at their recorded times when Play is tapped.
func (u *UI) videoPlayer(frames []sdk.Frame) fyne.CanvasObject {
	screen := canvas.NewImageFromImage(decodeImage(frames[0].Image))
	screen.FillMode = canvas.ImageFillContain
	var play *widget.Button
	play = u.iconButton(u.T("operator.video.play"), theme.MediaPlayIcon(), func() {
		play.Disable()
		go func() {
			start := time.Now()
			for _, f := range frames {
				time.Sleep(time.Until(start.Add(time.Duration(f.TimestampMS) * time.Millisecond)))
				img := decodeImage(f.Image)
				if img == nil {
					continue
				}
				fyne.Do(func() {
					screen.Image = img
					screen.Refresh()
				})
			}
			fyne.Do(play.Enable)
		}()
	})
	return container.NewVBox(container.NewGridWrap(u.sz(320, 240), screen), u.layer.Start(play))
}

// decodeImage decodes a JPEG or PNG for display; nil when it cannot.
func decodeImage(im sdk.Image) image.Image {
	img, _, err := image.Decode(bytes.NewReader(im.Data))
	if err != nil {
		return nil
	}
	return img
}
