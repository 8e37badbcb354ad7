// Package ui is the kiosk's Fyne front end: the Persian right-to-left screens of the ten-step
// flow, the live camera capture screens, the on-screen keypad and the operator mode. Every screen
// is drawn from a flow.Snapshot; every action goes to a flow.Driver off the UI goroutine and the
// result comes back through fyne.Do.
package ui

import (
	"context"
	"errors"
	"image/color"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/camera"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/pin"
	_ "github.com/ehraz/ehraz/app/ui/localeenv" // before Fyne reads the locale: no "Error parsing user locale C"
	"github.com/ehraz/ehraz/app/ui/rtl"
	"github.com/ehraz/ehraz/capture"
	"github.com/ehraz/ehraz/domain/text"
	"github.com/ehraz/ehraz/locales"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Options are the kiosk's parts, wired by main.
type Options struct {
	Lang    string
	Catalog *locales.Catalog
	Flow    flow.Driver
	// Camera may be nil: the capture screens then say the camera is unavailable.
	Camera capture.Source
	// Analyzer gives live hints on the capture screens (the plugin host); nil shows no hints.
	Analyzer sdk.FrameAnalyzer
	// Sessions and Health feed the operator mode; nil parts are shown as unavailable.
	Sessions Sessions
	Health   Health
	// Outbox is the dossier delivery queue (status and "retry now" in operator mode); nil hides it.
	Outbox Outbox
	// Voice speaks each screen's instruction and the video's numbers; nil: no voice, no mute key.
	Voice Voice
	// Operators reads the named operators (app/pin, keys/operators.json) each time the login
	// opens, so one added or removed by `ehrazctl operator` counts at once; nil or an empty list
	// falls back to PINHash.
	Operators func() (pin.Operators, error)
	// PINHash is the shared operator PIN's hash of older set-ups (see app/pin), used only when
	// there are no named operators; decisions are then signed operator.shared_name.
	PINHash string
	// Lockout is the operator login's persisted wrong-PIN count (pin.LoadLockout); nil keeps one
	// in memory.
	Lockout *pin.Lockout
	// OperatorIdle logs the operator out after this long without a tap (default 2 min).
	OperatorIdle time.Duration
	// Contacts are the brokerage's contact details per language (the contact screen); a
	// language without its own falls back to the default language's.
	Contacts map[string]Contact
	// MinAge is the configured minimum age (eligibility), shown in the rules and the refusal;
	// zero means 18.
	MinAge int
	// IdleWarning is how long before the idle wipe the warning appears.
	IdleWarning time.Duration
	// PluginText is the verified text a vendor's plugin ships for a key of its own (the plugin
	// host's Text); consulted only for keys the kiosk's catalog lacks. Nil: none.
	PluginText func(lang, key string) (string, bool)
	// Tracker answers "track my request" from the welcome screen; nil hides the key.
	Tracker Tracker
	// Kiosk makes the window full screen and guards closing it.
	Kiosk bool
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
	// Timing of the capture screens; zero values take the defaults.
	Timing Timing
	// RecordVideo, when set, opens a recorder for each video take; the frames sent to the flow
	// are written to it too (e.g. a capture/cvcam.Recorder). Nil records nothing.
	RecordVideo func() (camera.Recorder, error)
}

// Timing is how long the capture countdown steps and the video recording last.
type Timing struct {
	Countdown   time.Duration // per number shown (default 1 s)
	VideoLength time.Duration // default 5 s
}

// UI is the running kiosk front end.
type UI struct {
	opt   Options
	home  string // the configured language, restored for each new person
	app   fyne.App
	win   fyne.Window
	layer rtl.Layer
	ctx   context.Context
	stop  context.CancelFunc

	busy       sync.WaitGroup // flow calls in flight (tests wait on it)
	mu         sync.Mutex     // guards the fields below, shared with camera goroutines
	screen     *screenState
	message    string // localized key of the last flow error, shown on the current screen
	msgArgs    []string
	verdict    *sdk.Verdict // last capture verdict on this step
	help       bool
	contact    bool
	track      *trackState // "track my request" visit on display
	oper       *operatorState
	confirmDlg fyne.CanvasObject
	idleDlg    fyne.CanvasObject
	idleMsg    *widget.Label
	pv         *camera.Preview
	pvStep     flow.Step
	lastTouch  time.Time
	shown      flow.Snapshot  // the snapshot on display (a rescale draws it again)
	theme      *kioskTheme    // nil with Fyne's default theme (no fonts)
	scale      float32        // the theme's scale for the window's size (UI goroutine)
	muted      bool           // the applicant silenced the voice (UI goroutine; reset per person)
	muteKey    *widget.Button // the speaker key on display (tests tap it)
	spoken     string         // session/step/language whose prompt was last spoken (UI goroutine)
}

// screenState is what belongs to the screen on display and ends with it.
type screenState struct {
	step   flow.Step
	cancel context.CancelFunc
	field  *field
}

// New builds the UI inside app (a real app from main, a test app in tests).
func New(app fyne.App, opt Options) *UI {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Timing.Countdown == 0 {
		opt.Timing.Countdown = time.Second
	}
	if opt.Timing.VideoLength == 0 {
		opt.Timing.VideoLength = 5 * time.Second
	}
	if opt.OperatorIdle <= 0 {
		opt.OperatorIdle = defaultOperatorIdle
	}
	if opt.Lockout == nil {
		opt.Lockout = &pin.Lockout{}
	}
	if opt.MinAge <= 0 {
		opt.MinAge = 18
	}
	if opt.IdleWarning == 0 {
		opt.IdleWarning = 30 * time.Second
	}
	if opt.Lang == "" {
		opt.Lang = locales.Default
	}
	ctx, stop := context.WithCancel(context.Background())
	u := &UI{opt: opt, home: opt.Lang, app: app, layer: rtl.For(opt.Lang), ctx: ctx, stop: stop, scale: 1}
	u.win = app.NewWindow(u.T("app.name"))
	u.win.Resize(fyne.NewSize(1024, 768))
	// The screens pad themselves; the window's own padding would only shrink the scale.
	u.win.SetPadded(false)
	// A keyboard, when one is attached (operator, tests), types into the keypad's field too.
	u.win.Canvas().SetOnTypedRune(u.typedRune)
	u.win.Canvas().SetOnTypedKey(u.typedKey)
	if opt.Kiosk {
		u.win.SetFullScreen(true)
		// The applicant must not close the kiosk: closing is an operator action.
		u.win.SetCloseIntercept(func() { u.showOperatorLogin() })
	}
	return u
}

// UseTheme sets the Vazirmatn theme from fontDir.
func (u *UI) UseTheme(fontDir string) error {
	t, err := loadTheme(fontDir)
	if err != nil {
		return err
	}
	t.scale = u.scale
	u.theme = t
	u.app.Settings().SetTheme(t)
	return nil
}

// px scales a length given for 1024×768 to the window.
func (u *UI) px(v float32) float32 { return v * u.scale }

// sz scales a size given for 1024×768 to the window.
func (u *UI) sz(w, h float32) fyne.Size { return fyne.NewSize(w*u.scale, h*u.scale) }

// fit follows the window's size: when it calls for another scale, the screen on display is
// drawn again (queued by fyne.Do, after the layout pass that noticed it), and render applies the
// scale.
func (u *UI) fit(size fyne.Size) {
	// A window being closed lays out at 0×0, and a layout pass may see a size the canvas does
	// not have: drawing again would not change the scale render applies (from the canvas), and
	// each new draw would lay out again — an endless loop of redraws. Only a change the canvas
	// confirms is drawn.
	if u.theme == nil || size.Width < 1 || size.Height < 1 || scaleFor(size) == u.scale ||
		scaleFor(u.win.Canvas().Size()) == u.scale {
		return
	}
	fyne.Do(func() { u.render(u.shown) })
}

// applyScale sets the theme's scale for the window's present size (UI goroutine, before a
// screen is built: the screens size their fixed parts with px and sz).
func (u *UI) applyScale() {
	s := scaleFor(u.win.Canvas().Size())
	if u.theme == nil || s == u.scale {
		return
	}
	t := *u.theme
	t.scale = s
	u.scale, u.theme = s, &t
	u.app.Settings().SetTheme(&t)
}

// rootLayout fills the window with the screen and tells the UI the window's size.
type rootLayout struct{ u *UI }

func (l *rootLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	l.u.fit(size)
}

func (l *rootLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

// ShowStep draws the screen for snap directly (the preview benchmark and the screenshot tour).
func (u *UI) ShowStep(snap flow.Snapshot) { u.render(snap) }

// Window is the kiosk window (tests and the screenshot tour capture it).
func (u *UI) Window() fyne.Window { return u.win }

// Start resumes an unfinished session or opens a new one, draws it and starts the idle watch.
func (u *UI) Start(ctx context.Context) error {
	snap, ok, err := u.opt.Flow.Resume(ctx)
	if err != nil || !ok {
		if snap, err = u.opt.Flow.Start(ctx); err != nil {
			return err
		}
	}
	u.render(snap)
	go u.watchIdle()
	return nil
}

// ShowAndRun shows the window and runs the app until it quits.
func (u *UI) ShowAndRun() {
	u.win.ShowAndRun()
	u.stop()
}

// Close stops the UI's goroutines.
func (u *UI) Close() {
	u.mu.Lock()
	if u.screen != nil && u.screen.cancel != nil {
		u.screen.cancel()
	}
	u.mu.Unlock()
	u.stop()
}

// Wait blocks until every flow call started by the UI has finished and its screen is drawn.
func (u *UI) Wait() { u.busy.Wait() }

// T returns the display text for a locale key: localized, Persian digits, reordered for Fyne.
func (u *UI) T(key string, args ...string) string {
	return u.layer.Text(u.raw(key, args...))
}

// raw is the localized text without display reordering (for wrapping before reordering). A key
// the catalog lacks may be a vendor plugin's own reason key: its shipped text is used.
func (u *UI) raw(key string, args ...string) string {
	if u.opt.PluginText != nil && !u.opt.Catalog.Has(u.opt.Lang, key) && !u.opt.Catalog.Has(locales.Default, key) {
		if s, ok := u.opt.PluginText(u.opt.Lang, key); ok {
			for i := 0; i+1 < len(args); i += 2 {
				s = strings.ReplaceAll(s, "{"+args[i]+"}", args[i+1])
			}
			return s
		}
	}
	return u.opt.Catalog.T(u.opt.Lang, key, args...)
}

// act runs a flow call off the UI goroutine, then draws the snapshot it returned with its
// error's message.
func (u *UI) act(call func(ctx context.Context) (flow.Snapshot, error)) {
	u.busy.Add(1)
	go func() {
		defer u.busy.Done()
		ctx, cancel := context.WithTimeout(u.ctx, 30*time.Second)
		defer cancel()
		snap, err := call(ctx)
		key, args := errorKey(err)
		fyne.DoAndWait(func() {
			u.mu.Lock()
			u.message, u.msgArgs = key, args
			u.mu.Unlock()
			u.render(snap)
		})
	}()
}

// submit answers the current step (a screen's primary action).
func (u *UI) submit(a flow.Answer) {
	u.act(func(ctx context.Context) (flow.Snapshot, error) { return u.opt.Flow.Submit(ctx, a) })
}

// errorKey turns a flow error into the locale key shown to the applicant.
func errorKey(err error) (string, []string) {
	if err == nil {
		return "", nil
	}
	var fe *flow.Error
	if errors.As(err, &fe) {
		return fe.Key, fe.Args
	}
	if errors.Is(err, flow.ErrStorageFull) {
		return "flow.error.storage_full", nil
	}
	return "service.unavailable", nil
}

// touch records activity at most every few seconds (keypad taps are frequent).
func (u *UI) touch() {
	u.operatorActive()
	now := u.opt.Now()
	u.mu.Lock()
	if now.Sub(u.lastTouch) < 5*time.Second {
		u.mu.Unlock()
		return
	}
	u.lastTouch = now
	u.mu.Unlock()
	go func() {
		ctx, cancel := context.WithTimeout(u.ctx, 5*time.Second)
		defer cancel()
		_ = u.opt.Flow.Touch(ctx) // a failed touch only shortens the idle time
	}()
}

// render draws the screen for snap. Called on the UI goroutine only.
func (u *UI) render(snap flow.Snapshot) {
	u.mu.Lock()
	if u.screen != nil && u.screen.cancel != nil {
		u.screen.cancel()
	}
	if u.screen == nil || u.screen.step != snap.Step {
		u.verdict = nil
	}
	st := &screenState{step: snap.Step}
	u.screen = st
	u.shown = snap
	help, contact, oper, track := u.help, u.contact, u.oper, u.track
	u.mu.Unlock()

	u.applyScale()
	var body fyne.CanvasObject
	switch {
	case oper != nil:
		body = u.operatorScreen(oper)
	case help:
		body = u.helpScreen()
	case contact:
		body = u.contactScreen()
	case track != nil && snap.Step == flow.StepWelcome:
		body = u.trackScreen(track)
	default:
		body = u.stepScreen(snap, st)
	}
	u.win.SetContent(container.New(&rootLayout{u: u}, container.NewPadded(body)))
	u.speakScreen(snap)
}

func (u *UI) stepScreen(snap flow.Snapshot, st *screenState) fyne.CanvasObject {
	switch snap.Step {
	case flow.StepWelcome:
		return u.welcomeScreen()
	case flow.StepMobile:
		return u.frame(snap, u.mobileScreen(snap, st))
	case flow.StepMobileOTP:
		return u.frame(snap, u.otpScreen(snap, st, flow.OTPMobile))
	case flow.StepIdentity:
		return u.frame(snap, u.identityScreen(snap, st))
	case flow.StepSejamOTP:
		return u.frame(snap, u.otpScreen(snap, st, flow.OTPSejam))
	case flow.StepCardSerial:
		return u.frame(snap, u.cardSerialScreen(snap, st))
	case flow.StepSelfie, flow.StepSignature, flow.StepVideo:
		return u.frame(snap, u.captureScreen(snap, st))
	case flow.StepReview:
		return u.frame(snap, u.reviewScreen(snap))
	case flow.StepCommitments:
		return u.frame(snap, u.commitmentsScreen(snap))
	default:
		return u.resultScreen(snap)
	}
}

// frame puts a step's body under the progress header and above the message area.
func (u *UI) frame(snap flow.Snapshot, body fyne.CanvasObject) fyne.CanvasObject {
	header := container.NewVBox(u.progress(snap), widget.NewSeparator())
	return container.NewBorder(header, u.messageArea(), nil, nil, container.NewPadded(body))
}

// progress is the step indicator: «مرحله ۳ از ۱۰ — title» and ten dots filling from the
// reading start (the right in Persian). Fyne's ProgressBar fills from the left and prints Latin
// percentages, so it is not used.
func (u *UI) progress(snap flow.Snapshot) fyne.CanvasObject {
	title := u.heading(u.raw("ui.step.counter", "n", itoa(snap.StepIndex), "total", itoa(len(flow.Steps))) +
		" — " + u.raw("ui.step."+string(snap.Step)+".title"))
	dots := make([]fyne.CanvasObject, 0, len(flow.Steps))
	for i := range flow.Steps {
		c := canvas.NewCircle(color.NRGBA{R: 0xcc, G: 0xcc, B: 0xcc, A: 0xff})
		if i+1 < snap.StepIndex {
			c.FillColor = theme.Color(theme.ColorNameSuccess)
		} else if i+1 == snap.StepIndex {
			c.FillColor = theme.Color(theme.ColorNamePrimary)
		}
		dots = append(dots, container.NewGridWrap(u.sz(22, 22), c))
	}
	// The dots at the reading start beside the keys, the step's title on its own line: a long
	// title and four keys do not fit one line of a 1024 px screen.
	row := container.NewCenter(container.NewHBox(u.layer.Order(dots)...))
	top := u.layer.Ends(row, u.toolbar(true))
	return container.NewVBox(top, title)
}

func (u *UI) setHelp(on bool) {
	u.mu.Lock()
	u.help = on
	u.mu.Unlock()
	u.render(u.opt.Flow.Snapshot())
}

// messageArea shows the last flow error, localized, in the error colour.
func (u *UI) messageArea() fyne.CanvasObject {
	u.mu.Lock()
	key, args := u.message, u.msgArgs
	u.mu.Unlock()
	if key == "" {
		return container.NewVBox()
	}
	box := container.NewVBox()
	for _, line := range u.wrapped(u.raw(key, args...), 70) {
		t := canvas.NewText(line, theme.Color(theme.ColorNameError))
		t.TextSize = u.px(textSize)
		t.Alignment = u.layer.Align()
		box.Add(t)
	}
	return container.NewPadded(box)
}

// heading is a one-line bold title in reading alignment.
func (u *UI) heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(u.layer.Text(text), u.layer.Align(), fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// label is one line of text for key.
func (u *UI) label(key string, args ...string) *widget.Label {
	return widget.NewLabelWithStyle(u.T(key, args...), u.layer.Align(), fyne.TextStyle{})
}

// para is a paragraph broken into lines here (in logical order) and reordered line by line:
// Fyne's own wrapping would break a reordered line at the wrong end.
func (u *UI) para(key string, width int, args ...string) fyne.CanvasObject {
	return widget.NewLabelWithStyle(strings.Join(u.wrapped(u.raw(key, args...), width), "\n"), u.layer.Align(), fyne.TextStyle{})
}

// wrapped breaks text into lines of at most width runes at spaces, then prepares each line for
// display.
func (u *UI) wrapped(text string, width int) []string {
	var out []string
	for _, p := range strings.Split(text, "\n") {
		var line []string
		n := 0
		for _, w := range strings.Fields(p) {
			wl := len([]rune(w))
			if n > 0 && n+1+wl > width {
				out = append(out, u.layer.Text(strings.Join(line, " ")))
				line, n = nil, 0
			}
			line = append(line, w)
			if n > 0 {
				n++
			}
			n += wl
		}
		out = append(out, u.layer.Text(strings.Join(line, " ")))
	}
	return out
}

// navRow places Back at the reading start (right in Persian) and the primary action at the
// reading end (left in Persian), with arrows pointing the way each one goes.
func (u *UI) navRow(snap flow.Snapshot, next *widget.Button) fyne.CanvasObject {
	var back fyne.CanvasObject = layout.NewSpacer()
	if snap.CanGoBack {
		b := u.iconButton(u.T("ui.back"), u.backIcon(), func() {
			u.act(u.opt.Flow.Back)
		})
		b.IconPlacement = u.iconOutside()
		back = b
	}
	if next == nil {
		return u.tall(u.layer.Ends(back, layout.NewSpacer()))
	}
	next.Importance = widget.HighImportance
	next.Icon = u.nextIcon()
	next.IconPlacement = u.iconOutsideEnd()
	return u.tall(u.layer.Ends(back, next))
}

// backIcon points toward the reading start: right in Persian.
func (u *UI) backIcon() fyne.Resource {
	if u.layer.RTL {
		return theme.NavigateNextIcon()
	}
	return theme.NavigateBackIcon()
}

// nextIcon points toward the reading end: left in Persian.
func (u *UI) nextIcon() fyne.Resource {
	if u.layer.RTL {
		return theme.NavigateBackIcon()
	}
	return theme.NavigateNextIcon()
}

// iconOutside puts the Back arrow on the outer (start) side of its text.
func (u *UI) iconOutside() widget.ButtonIconPlacement {
	if u.layer.RTL {
		return widget.ButtonIconTrailingText
	}
	return widget.ButtonIconLeadingText
}

// iconOutsideEnd puts the Next arrow on the outer (end) side of its text.
func (u *UI) iconOutsideEnd() widget.ButtonIconPlacement {
	if u.layer.RTL {
		return widget.ButtonIconLeadingText
	}
	return widget.ButtonIconTrailingText
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}

// iconButton is a button with its icon before the text in reading order (on the right in Persian).
func (u *UI) iconButton(text string, icon fyne.Resource, tapped func()) *widget.Button {
	b := widget.NewButtonWithIcon(text, icon, tapped)
	if u.layer.RTL {
		b.IconPlacement = widget.ButtonIconTrailingText
	}
	return b
}

func (u *UI) currentField() *field {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.screen == nil {
		return nil
	}
	return u.screen.field
}

func (u *UI) typedRune(r rune) {
	f := u.currentField()
	if f == nil {
		return
	}
	r = []rune(text.ASCIIDigits(string(r)))[0]
	if r >= 'a' && r <= 'z' {
		r -= 'a' - 'A'
	}
	if (r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') {
		f.add(r)
		u.touch()
	}
}

func (u *UI) typedKey(e *fyne.KeyEvent) {
	if f := u.currentField(); f != nil && e.Name == fyne.KeyBackspace {
		f.backspace()
	}
}
