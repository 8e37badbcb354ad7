package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/png" // stored signatures may be PNG
	"strconv"
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
	"github.com/ehraz/ehraz/app/ui/rtl"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// SessionSummary is one row of a day's sessions in operator mode.
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
	// Name is the applicant's full name from SEJAM ("" before step 4 and after a wipe).
	Name string
	// NationalCodeMasked is the national code as kyc.NationalCode.Masked shows it (the clear code
	// never reaches the screen).
	NationalCodeMasked string
	// LockedFrom is the step a locked session resumes at after an Unlock.
	LockedFrom flow.Step
	Checks     []flow.CheckResult
	// Photos are the stored stills (selfie, signature, the registry's photo), decrypted by the
	// store for display, each with its media name.
	Photos []Photo
	// Matches are the face comparisons the flow recorded (selfie against the registry photo,
	// video frames against the selfie).
	Matches []FaceMatch
	// Video is the recorded selfie video as frames, played back in place.
	Video []sdk.Frame
}

// Photo is one stored still and its media name ("selfie", "signature", "registry.photo").
type Photo struct {
	Name  string
	Image sdk.Image
}

// FaceMatch is a recorded face comparison: the plugin's distance, its calibrated false-match
// estimate and the band the brokerage's policy put it in.
type FaceMatch struct {
	Step         flow.Step // selfie or video
	Distance     float64
	EstimatedFMR float64
	Band         sdk.Outcome // pass, needs-review or fail, as the policy decided
	Calibration  string
}

// Sessions is what operator mode needs from the session store.
type Sessions interface {
	// Day lists the sessions started on the local calendar day of day, newest first.
	Day(ctx context.Context, day time.Time) ([]SessionSummary, error)
	// FindTracking lists the sessions of any day whose applicant typed this SEJAM tracking code
	// (10 digits), newest first.
	FindTracking(ctx context.Context, code string) ([]SessionSummary, error)
	Detail(ctx context.Context, id string) (SessionDetail, error)
	// Override records the named operator's decision on one check with a written reason.
	Override(ctx context.Context, id string, step flow.Step, outcome sdk.Outcome, operator, reason string) error
	// Unlock resumes a locked session at the step where it locked, after the named operator
	// confirmed the person's identity (audited with the reason); the snapshot is the kiosk's
	// session afterwards. A refusal is a *flow.Error.
	Unlock(ctx context.Context, id, operator, reason string) (flow.Snapshot, error)
}

// OutboxStatus is what waits to leave for the back office.
type OutboxStatus struct {
	Pending, Refused int
	Oldest           time.Time // of the pending entries; zero when none waits
	Rows             []OutboxRow
}

// OutboxRow is one dossier or amendment not yet delivered.
type OutboxRow struct {
	SessionID   string
	Kind        string // dossier | amendment
	State       string // pending | refused
	Attempts    int
	NextAttempt time.Time
	LastError   string
}

// Outbox is the delivery queue as operator mode shows and drives it.
type Outbox interface {
	Status(ctx context.Context) (OutboxStatus, error)
	// RetryNow sends every pending entry at once; how many dossiers went.
	RetryNow(ctx context.Context) (int, error)
}

// PluginHealth is one detector plugin's state for the operator.
type PluginHealth struct {
	Name   string
	OK     bool
	Detail string // version, state, restarts and the last error, as the host reports them
	// Starting is set on the one row said while the plugin host is still starting.
	Starting bool
}

// Health reports the detector plugins' state (the plugin host).
type Health interface {
	Plugins(ctx context.Context) []PluginHealth
}

// Operator mode's timing defaults.
const (
	defaultOperatorIdle = 2 * time.Minute // log-out after this long without a tap
	reasonMaxRunes      = 200
)

// operatorState is operator mode's own navigation (UI goroutine).
type operatorState struct {
	view       string // "login", "pin", "home", "search", "detail", "reason"
	operator   string // who logged in ("" until then)
	candidate  string // the name chosen on the login screen
	day        time.Time
	search     string // a session code prefix the list is filtered by
	tracking   string // a SEJAM tracking code the list is found by (any day)
	searchKind string // "tracking" (default) or "session": what the search screen types
	draft      string // a tracking code typed but refused (too short), kept on the pad
	outboxMsg  string // locale key of the last "retry now" result
	outboxArgs []string
	session    string
	err        string
	errArgs    []string
	lastActive time.Time
	// the decision waiting for its reason
	step     flow.Step
	outcome  sdk.Outcome
	done     string // locale key of the last decision's result
	doneArgs []string
}

func (o *operatorState) loggedIn() bool { return o != nil && o.operator != "" }

func (u *UI) setOperator(o *operatorState) {
	if o != nil {
		o.lastActive = u.opt.Now()
	}
	u.mu.Lock()
	u.oper = o
	u.mu.Unlock()
	u.render(u.shown)
}

func (u *UI) showOperatorLogin() { u.setOperator(&operatorState{view: "login"}) }

// operatorActive notes a tap in operator mode (the inactivity log-out counts from it).
func (u *UI) operatorActive() {
	u.mu.Lock()
	if u.oper != nil {
		u.oper.lastActive = u.opt.Now()
	}
	u.mu.Unlock()
}

// operatorIdle logs the operator out after Options.OperatorIdle without a tap (watchIdle).
func (u *UI) operatorIdle(now time.Time) {
	u.mu.Lock()
	o := u.oper
	u.mu.Unlock()
	if o != nil && now.Sub(o.lastActive) >= u.opt.OperatorIdle {
		u.setOperator(nil)
	}
}

// operatorNames lists who may log in: the named operators, or the one shared PIN of older
// set-ups (named by operator.shared_name).
func (u *UI) operatorNames() ([]string, error) {
	if u.opt.Operators != nil {
		ops, err := u.opt.Operators()
		if err != nil {
			return nil, err
		}
		if len(ops.List) > 0 {
			return ops.Names(), nil
		}
	}
	if u.opt.PINHash != "" {
		return []string{u.raw("operator.shared_name")}, nil
	}
	return nil, nil
}

func (u *UI) checkOperatorPIN(name, code string) bool {
	if u.opt.Operators != nil {
		if ops, err := u.opt.Operators(); err == nil && len(ops.List) > 0 {
			return ops.CheckOperator(name, code)
		}
	}
	return u.opt.PINHash != "" && name == u.raw("operator.shared_name") && pin.Check(u.opt.PINHash, code)
}

func (u *UI) operatorScreen(o *operatorState) fyne.CanvasObject {
	switch o.view {
	case "login":
		return u.operatorLogin(o)
	case "pin":
		return u.pinScreen(o)
	}
	if !o.loggedIn() {
		return u.operatorLogin(o)
	}
	exit := u.iconButton(u.T("operator.exit"), theme.LogoutIcon(), func() { u.setOperator(nil) })
	title := u.heading(u.raw("operator.title_named", "name", o.operator))
	header := u.layer.Ends(title, u.tall(exit))
	var body fyne.CanvasObject
	switch o.view {
	case "detail":
		body = u.operatorDetail(o)
	case "reason":
		body = u.reasonScreen(o)
	case "unlock":
		body = u.unlockScreen(o)
	case "search":
		body = u.searchScreen(o)
	default:
		body = u.operatorHome(o)
	}
	return container.NewBorder(container.NewVBox(header, widget.NewSeparator()), nil, nil, nil, body)
}

func (u *UI) operatorError(o *operatorState) fyne.CanvasObject {
	msg := widget.NewLabelWithStyle(u.T(o.err, o.errArgs...), u.layer.Align(), fyne.TextStyle{Bold: true})
	msg.Importance = widget.DangerImportance
	if o.err == "" {
		msg.Hide()
	}
	return msg
}

// operatorLogin: the operator taps their name, then types their PIN.
func (u *UI) operatorLogin(o *operatorState) fyne.CanvasObject {
	box := container.NewVBox(u.heading(u.raw("operator.login.title")), u.operatorError(o))
	names, err := u.operatorNames()
	switch {
	case err != nil:
		box.Add(u.label("operator.login.list_error"))
	case len(names) == 0:
		box.Add(u.para("operator.pin.not_configured", 60))
	}
	grid := container.NewGridWithColumns(3)
	for _, n := range names {
		n := n
		b := widget.NewButtonWithIcon(u.layer.Text(n), theme.AccountIcon(), func() {
			o.view, o.candidate, o.err = "pin", n, ""
			u.setOperator(o)
		})
		grid.Add(u.tall(b))
	}
	box.Add(grid)
	cancel := widget.NewButton(u.T("operator.cancel"), func() { u.setOperator(nil) })
	return container.NewBorder(nil, u.tall(u.layer.Ends(cancel, layout.NewSpacer())), nil, nil, container.NewVScroll(box))
}

func (u *UI) pinScreen(o *operatorState) fyne.CanvasObject {
	entry := u.newField("operator.pin.label", pin.MaxDigits, "")
	entry.active, entry.mask = true, true
	entry.refresh()
	ok := widget.NewButton(u.T("operator.pin.enter"), func() {
		now := u.opt.Now()
		if until, locked := u.opt.Lockout.Locked(now); locked {
			o.err, o.errArgs = "operator.pin.locked_until", []string{"time", clock(until.Sub(now))}
		} else if u.checkOperatorPIN(o.candidate, entry.String()) {
			_ = u.opt.Lockout.Succeed()
			o.view, o.operator, o.err, o.errArgs, o.day = "home", o.candidate, "", nil, now
		} else {
			o.err, o.errArgs = "operator.pin.wrong", nil
			if err := u.opt.Lockout.Fail(now); err != nil {
				o.err = "operator.pin.lockout_unsaved"
			}
			if until, locked := u.opt.Lockout.Locked(now); locked {
				o.err, o.errArgs = "operator.pin.locked_until", []string{"time", clock(until.Sub(now))}
			}
		}
		u.setOperator(o)
	})
	ok.Importance = widget.HighImportance
	back := widget.NewButton(u.T("operator.cancel"), func() {
		o.view, o.err = "login", ""
		u.setOperator(o)
	})
	u.mu.Lock()
	u.screen.field = entry // a keyboard at the counter types here too
	u.mu.Unlock()
	left := container.NewVBox(u.heading(u.raw("operator.pin.title_named", "name", o.candidate)), entry.view(), u.operatorError(o))
	var cols fyne.CanvasObject
	pad := u.keypad(func() *field { return entry })
	if u.layer.RTL {
		cols = container.NewBorder(nil, nil, pad, nil, left)
	} else {
		cols = container.NewBorder(nil, nil, nil, pad, left)
	}
	return container.NewBorder(nil, u.tall(u.layer.Ends(back, ok)), nil, nil, cols)
}

// operatorHome lists one day's sessions (any day, and searchable by session code) beside the
// kiosk's health.
func (u *UI) operatorHome(o *operatorState) fyne.CanvasObject {
	day := o.day
	if day.IsZero() {
		day = u.opt.Now()
	}
	prev := widget.NewButton(u.T("operator.day.previous"), func() { o.day = day.AddDate(0, 0, -1); u.setOperator(o) })
	next := widget.NewButton(u.T("operator.day.next"), func() { o.day = day.AddDate(0, 0, 1); u.setOperator(o) })
	search := u.iconButton(u.T("operator.search.button"), theme.SearchIcon(), func() { o.view = "search"; u.setOperator(o) })
	dayLabel := widget.NewLabelWithStyle(u.layer.Text(jalaliDay(day)), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	nav := u.tall(container.NewBorder(nil, nil, nil, nil, u.layer.Row(prev, dayLabel, next, search)))
	sessions := container.NewVBox()
	if o.search != "" || o.tracking != "" {
		clear := widget.NewButton(u.T("operator.search.clear"), func() { o.search, o.tracking = "", ""; u.setOperator(o) })
		showing := u.label("operator.search.showing", "code", rtl.Isolate(o.search))
		if o.tracking != "" {
			showing = u.label("operator.search.showing_tracking", "code", o.tracking)
		}
		sessions.Add(u.layer.Row(showing, u.tall(clear)))
	}
	if u.opt.Sessions == nil {
		sessions.Add(u.label("operator.unavailable"))
	} else {
		var list []SessionSummary
		var err error
		if o.tracking != "" {
			list, err = u.opt.Sessions.FindTracking(u.ctx, o.tracking)
		} else {
			list, err = u.opt.Sessions.Day(u.ctx, day)
		}
		shown := 0
		for _, s := range list {
			if o.search != "" && !strings.HasPrefix(s.ID, strings.ToLower(o.search)) {
				continue
			}
			s := s
			shown++
			status := u.raw("ui.step." + string(s.Step) + ".title")
			if s.NeedsReview {
				status += " — " + u.raw("operator.needs_review")
			}
			when := s.StartedAt.Format("15:04")
			if o.tracking != "" { // any day: the date too
				when = jalaliDay(s.StartedAt) + " " + when
			}
			line := when + "  " + sessionCode(s.ID) + "  " + status
			b := widget.NewButton(u.layer.Text(line), func() {
				o.view, o.session, o.done = "detail", s.ID, ""
				u.setOperator(o)
			})
			b.Alignment = widget.ButtonAlign(u.layer.Align())
			sessions.Add(u.tall(b))
		}
		switch {
		case err != nil:
			sessions.Add(u.label("operator.sessions.error"))
		case shown == 0 && o.tracking != "":
			sessions.Add(u.label("operator.search.none_tracking"))
		case shown == 0:
			sessions.Add(u.label("operator.sessions.none_day"))
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
			health.Add(u.para("operator.camera.webcam", 40, "w", w, "h", h, "fps", fps))
		case "file":
			health.Add(u.para("operator.camera.file", 40, "w", w, "h", h, "fps", fps))
		default:
			health.Add(u.para("operator.camera.demo", 40, "w", w, "h", h, "fps", fps))
		}
		u.cameraIdentity(health, u.opt.Camera)
	}
	if u.opt.Health == nil {
		health.Add(u.label("operator.plugins.unavailable"))
	} else {
		for _, p := range u.opt.Health.Plugins(u.ctx) {
			key := "operator.plugin.ok"
			if !p.OK {
				key = "operator.plugin.down"
			}
			if p.Starting {
				health.Add(u.label("operator.plugins.starting"))
				continue
			}
			health.Add(u.label(key, "name", p.Name))
			if p.Detail != "" {
				// The host's own words (version, restarts, last error): technical, for the operator.
				d := widget.NewLabel(p.Detail)
				d.Wrapping = fyne.TextWrapWord
				health.Add(d)
			}
		}
	}
	u.outboxPanel(o, health)
	u.voicePanel(health)
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
	right := container.NewBorder(nil, u.tall(u.layer.Row(reset, quit)), nil, nil, container.NewVScroll(health))
	left := container.NewBorder(container.NewVBox(u.heading(u.raw("operator.sessions.title")), nav), nil, nil, nil,
		container.NewVScroll(sessions))
	return container.NewGridWithColumns(2, u.layer.Order([]fyne.CanvasObject{left, right})...)
}

// searchScreen types a SEJAM tracking code (digits: sessions of any day) or a session code
// (hexadecimal: today's list filtered) on an on-screen pad.
func (u *UI) searchScreen(o *operatorState) fyne.CanvasObject {
	kind := o.searchKind
	if kind == "" {
		kind = "tracking"
	}
	label, max, keysOf, initial := "operator.search.tracking_label", 10, "0123456789", o.draft
	if kind == "session" {
		label, max, keysOf, initial = "operator.search.label", 32, "0123456789ABCDEF", o.search
	}
	f := u.newField(label, max, initial)
	f.latin = kind == "session"
	f.active = true
	f.refresh()
	u.mu.Lock()
	u.screen.field = f
	u.mu.Unlock()
	var pad fyne.CanvasObject
	if kind == "tracking" {
		pad = u.keypad(func() *field { return f }) // the digits as on every other pad
	} else {
		keys := []fyne.CanvasObject{}
		for _, r := range keysOf {
			r := r
			// Hexadecimal keys as the codes are shown: ASCII digits beside the letters.
			keys = append(keys, widget.NewButton(string(r), func() { f.add(r); u.operatorActive() }))
		}
		pad = container.NewGridWrap(u.sz(4*90, 4*(touchHeight+6)), container.NewGridWithColumns(4, keys...))
	}
	back := u.iconButton("", theme.ContentUndoIcon(), func() { f.backspace(); u.operatorActive() })
	show := widget.NewButton(u.T("operator.search.show"), func() {
		v := f.String()
		if kind == "tracking" {
			if len(v) != 10 {
				o.err, o.draft = "operator.search.tracking_format", v // kept to finish typing
				u.setOperator(o)
				return
			}
			o.view, o.tracking, o.search, o.err, o.draft = "home", v, "", "", ""
		} else {
			o.view, o.search, o.tracking, o.err = "home", strings.ToLower(v), "", ""
		}
		u.setOperator(o)
	})
	show.Importance = widget.HighImportance
	cancel := widget.NewButton(u.T("operator.cancel"), func() { o.view, o.err = "home", ""; u.setOperator(o) })
	byTracking := widget.NewButton(u.T("operator.search.by_tracking"), func() { o.searchKind, o.err = "tracking", ""; u.setOperator(o) })
	bySession := widget.NewButton(u.T("operator.search.by_session"), func() { o.searchKind, o.err = "session", ""; u.setOperator(o) })
	if kind == "tracking" {
		byTracking.Importance = widget.HighImportance
	} else {
		bySession.Importance = widget.HighImportance
	}
	intro := "operator.search.intro"
	if kind == "tracking" {
		intro = "operator.search.tracking_intro"
	}
	left := container.NewVBox(u.tall(u.layer.Row(byTracking, bySession)), u.para(intro, 40), f.view(), u.operatorError(o),
		u.tall(u.layer.Start(back)))
	var body fyne.CanvasObject
	if u.layer.RTL {
		body = container.NewBorder(nil, nil, container.NewCenter(pad), nil, left)
	} else {
		body = container.NewBorder(nil, nil, nil, container.NewCenter(pad), left)
	}
	return container.NewBorder(nil, u.tall(u.layer.Ends(cancel, show)), nil, nil, body)
}

func (u *UI) operatorDetail(o *operatorState) fyne.CanvasObject {
	back := u.iconButton(u.T("ui.back"), u.backIcon(), func() {
		o.view = "home"
		u.setOperator(o)
	})
	back.IconPlacement = u.iconOutside()
	box := container.NewVBox()
	if u.opt.Sessions == nil {
		box.Add(u.label("operator.unavailable"))
		return container.NewBorder(nil, u.tall(u.layer.Start(back)), nil, nil, box)
	}
	d, err := u.opt.Sessions.Detail(u.ctx, o.session)
	if err != nil {
		box.Add(u.label("operator.sessions.error"))
		return container.NewBorder(nil, u.tall(u.layer.Start(back)), nil, nil, box)
	}
	box.Add(u.heading(u.raw("operator.session.title", "id", sessionCode(d.Summary.ID)) + " — " + u.raw("ui.step."+string(d.Summary.Step)+".title")))
	if o.done != "" {
		box.Add(u.label(o.done, o.doneArgs...))
	}
	if d.Name != "" || d.NationalCodeMasked != "" {
		box.Add(u.para("operator.session.person", 50, "name", d.Name, "code", rtl.Isolate(d.NationalCodeMasked)))
	} else {
		box.Add(u.para("operator.session.no_person", 50))
	}
	if d.Summary.Step == flow.StepLocked {
		box.Add(u.para("operator.unlock.intro", 50, "step", u.raw("ui.step."+string(d.LockedFrom)+".title")))
		resume := u.iconButton(u.T("operator.unlock.button"), theme.MediaPlayIcon(), func() {
			o.view, o.err = "unlock", ""
			u.setOperator(o)
		})
		resume.Importance = widget.HighImportance
		if d.LockedFrom == "" {
			resume.Disable()
		}
		box.Add(u.tall(u.layer.Start(resume)))
	}
	if len(d.Photos) > 0 {
		thumbs := make([]fyne.CanvasObject, 0, len(d.Photos))
		for _, p := range d.Photos {
			if img := decodeImage(p.Image); img != nil {
				ci := canvas.NewImageFromImage(img)
				ci.FillMode = canvas.ImageFillContain
				caption := widget.NewLabelWithStyle(u.T("operator.photo."+p.Name), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
				thumbs = append(thumbs, container.NewBorder(nil, caption, nil, nil, container.NewGridWrap(u.sz(220, 165), ci)))
			}
		}
		box.Add(u.layer.Row(thumbs...))
	}
	for _, m := range d.Matches {
		box.Add(u.para("operator.match.line", 50, "step", u.raw("ui.step."+string(m.Step)+".title"),
			"distance", u.decimal(m.Distance, 3), "fmr", u.decimal(100*m.EstimatedFMR, 1),
			"band", u.raw("operator.match.band."+m.Band.String())))
	}
	if len(d.Video) > 0 {
		box.Add(u.videoPlayer(d.Video))
	}
	for _, c := range d.Checks {
		c := c
		box.Add(u.heading(u.raw("ui.step."+string(c.Step)+".title") + " — " + u.raw("ui.verdict."+c.Verdict.Outcome.Effective().String())))
		for _, r := range c.Verdict.Reasons {
			box.Add(u.bullet(r, 50))
		}
		decide := func(out sdk.Outcome) func() {
			return func() {
				o.view, o.step, o.outcome, o.err = "reason", c.Step, out, ""
				u.setOperator(o)
			}
		}
		// Two full-size keys sharing the row (a word like «رد» alone made a key narrower than a
		// finger), accept at the reading start.
		pass := u.iconButton(u.T("operator.override.pass"), theme.ConfirmIcon(), decide(sdk.Pass))
		pass.Importance = widget.SuccessImportance
		fail := u.iconButton(u.T("operator.override.fail"), theme.CancelIcon(), decide(sdk.Fail))
		fail.Importance = widget.DangerImportance
		box.Add(u.tall(container.NewGridWithColumns(2, u.layer.Order([]fyne.CanvasObject{pass, fail})...)))
	}
	return container.NewBorder(nil, u.tall(u.layer.Start(back)), nil, nil, container.NewVScroll(box))
}

// reasonScreen takes the written reason for a decision on the on-screen keyboard and records
// the decision with the operator's name.
func (u *UI) reasonScreen(o *operatorState) fyne.CanvasObject {
	tf := u.newTextField(reasonMaxRunes)
	what := u.raw("operator.override."+o.outcome.String()) + " — " + u.raw("ui.step."+string(o.step)+".title")
	save := widget.NewButton(u.T("operator.override.save"), func() {
		reason := strings.TrimSpace(string(tf.value))
		if reason == "" {
			o.err = "operator.override.reason_required"
			u.setOperator(o)
			return
		}
		o.view, o.err = "detail", ""
		if err := u.opt.Sessions.Override(u.ctx, o.session, o.step, o.outcome, o.operator, reason); err != nil {
			o.done = "operator.override.failed"
		} else {
			o.done = "operator.override.done"
		}
		u.setOperator(o)
	})
	save.Importance = widget.HighImportance
	cancel := widget.NewButton(u.T("operator.cancel"), func() { o.view = "detail"; u.setOperator(o) })
	top := container.NewVBox(u.heading(what), u.label("operator.override.reason"), tf.view(), u.operatorError(o))
	return container.NewBorder(top, u.tall(u.layer.Ends(cancel, save)), nil, nil, container.NewCenter(u.keyboard(tf)))
}

// jalaliDay is a day's Jalali date (YYYY/MM/DD) for the operator's list.
func jalaliDay(t time.Time) string {
	d, err := kyc.Today(t)
	if err != nil {
		return t.Format("2006-01-02")
	}
	return d.String()
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// sessionCode is a session's short code as the operator reads it: hexadecimal, so it keeps its
// ASCII digits and reads left to right in a Persian line («7c1e0a55», never «۷c۱e۰a۵۵»).
func sessionCode(id string) string { return rtl.Isolate(shortID(id)) }

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
	return container.NewVBox(container.NewGridWrap(u.sz(320, 240), screen), u.tall(u.layer.Start(play)))
}

// decodeImage decodes a JPEG or PNG for display; nil when it cannot.
func decodeImage(im sdk.Image) image.Image {
	img, _, err := image.Decode(bytes.NewReader(im.Data))
	if err != nil {
		return nil
	}
	return img
}

// decimal formats v with prec decimals, with the Persian decimal separator «٫» in Persian.
func (u *UI) decimal(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if u.layer.RTL {
		s = strings.Replace(s, ".", "٫", 1)
	}
	return s
}
