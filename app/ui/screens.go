package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/domain/kyc"
)

func (u *UI) welcomeScreen() fyne.CanvasObject {
	title := widget.NewLabelWithStyle(u.T("app.name"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	tagline := widget.NewLabelWithStyle(u.T("app.tagline"), fyne.TextAlignCenter, fyne.TextStyle{})
	needs := container.NewVBox(u.heading(u.raw("ui.welcome.needs")))
	for _, k := range []string{"ui.welcome.need_card", "ui.welcome.need_tracking", "ui.welcome.need_dress", "ui.welcome.need_mask"} {
		needs.Add(u.bullet(k, 48))
	}
	start := widget.NewButton(u.T("ui.welcome.start"), func() {
		u.submit(flow.Begin{})
	})
	start.Importance = widget.HighImportance
	oper := u.iconButton("", theme.SettingsIcon(), func() { u.showOperatorLogin() })
	oper.Importance = widget.LowImportance
	begin := container.NewVBox(u.para("ui.welcome.duration", 36), container.NewCenter(container.NewGridWrap(u.sz(360, 72), start)))
	if u.opt.Tracker != nil {
		track := widget.NewButton(u.T("ui.welcome.track"), func() { u.setTrack(true) })
		begin.Add(container.NewCenter(container.NewGridWrap(u.sz(360, 64), track)))
	}
	// The operator key sits last in the row of keys, at the far end from where a reader starts.
	keys := container.NewVBox(u.layer.Row(u.toolbar(false), u.tall(oper))) // not stretched to the title's height
	head := u.layer.Ends(container.NewVBox(title, tagline), keys)
	if u.portrait() {
		// A tall screen: the steps larger, what to bring under them, the start key at the bottom
		// within reach.
		return container.NewPadded(container.NewVBox(head, layout.NewSpacer(), u.stepStrip(), layout.NewSpacer(),
			needs, layout.NewSpacer(), begin))
	}
	var bottom fyne.CanvasObject = container.NewBorder(nil, nil, nil, begin, needs)
	if u.layer.RTL {
		bottom = container.NewBorder(nil, nil, begin, nil, needs)
	}
	body := container.NewVBox(head, u.stepStrip(), bottom)
	return container.NewPadded(body)
}

// stepStrip shows the ten steps as pictures in reading order, five to a row, each with its
// number and a short name, so a person sees the whole way before starting.
func (u *UI) stepStrip() fyne.CanvasObject {
	cells := make([]fyne.CanvasObject, 0, len(flow.Steps))
	for i, s := range flow.Steps {
		side := float32(56)
		if u.portrait() {
			side = 112
		}
		pic := container.NewGridWrap(u.sz(side, side), u.picture("steps", string(s)))
		name := widget.NewLabelWithStyle(u.layer.Text(u.layer.Digits(itoa(i+1))+". "+u.raw("ui.strip."+string(s))),
			fyne.TextAlignCenter, fyne.TextStyle{})
		cells = append(cells, container.NewVBox(container.NewCenter(pic), name))
	}
	rows := container.NewVBox()
	for i := 0; i < len(cells); i += 5 {
		rows.Add(container.NewGridWithColumns(5, u.layer.Order(cells[i:min(i+5, len(cells))])...))
	}
	return rows
}

// bullet is a list item with its marker at the reading start.
func (u *UI) bullet(key string, width int, args ...string) fyne.CanvasObject {
	dot := canvas.NewCircle(theme.Color(theme.ColorNamePrimary))
	// The marker at the middle of the first line (a label's inner padding plus half a line down).
	mark := container.NewVBox(container.New(layout.NewCustomPaddedLayout(u.px(19), 0, u.px(6), u.px(6)), container.NewGridWrap(u.sz(12, 12), dot)))
	l := u.para(key, width, args...)
	if u.layer.RTL {
		return container.NewBorder(nil, nil, nil, mark, l)
	}
	return container.NewBorder(nil, nil, mark, nil, l)
}

func (u *UI) helpScreen() fyne.CanvasObject {
	box := container.NewVBox(u.heading(u.raw("ui.help.title")))
	for _, sec := range []struct {
		title string
		items []string
	}{
		{"help.rules.title", []string{"help.rules.age", "help.rules.card", "help.rules.natural", "help.rules.ip", "help.rules.sejam"}},
		{"help.photo.title", []string{"help.photo.shake", "help.photo.light", "help.photo.frame", "help.photo.one", "help.photo.no_frame", "help.photo.mask"}},
		{"help.signature.title", []string{"help.signature.paper", "help.signature.close", "help.signature.clear"}},
		{"help.video.title", []string{"help.video.why", "help.video.shake", "help.video.light", "help.video.background", "help.video.frame", "help.video.fingers"}},
		{"help.after.title", []string{"help.after.duration", "help.after.sms"}},
	} {
		box.Add(u.heading(u.raw(sec.title)))
		for _, k := range sec.items {
			box.Add(u.bullet(k, 64, "min", itoa(u.opt.MinAge)))
		}
	}
	back := u.iconButton(u.T("ui.help.close"), u.backIcon(), func() { u.setHelp(false) })
	back.IconPlacement = u.iconOutside()
	back.Importance = widget.HighImportance
	return container.NewBorder(nil, container.NewPadded(u.tall(u.layer.Ends(back, u.languageButton()))), nil, nil,
		container.NewVScroll(container.NewPadded(box)))
}

// formScreen lays out fields on the reading-start side and the keypad on the other; Next submits
// answer() (read when tapped).
func (u *UI) formScreen(snap flow.Snapshot, st *screenState, intro string, fields []*field, extra fyne.CanvasObject, answer func() flow.Answer, below ...fyne.CanvasObject) fyne.CanvasObject {
	target := func() *field { return st.field }
	var setActive func(f *field)
	setActive = func(f *field) {
		for _, o := range fields {
			o.active = o == f
			o.refresh()
		}
		st.field = f
	}
	left := container.NewVBox(u.para(intro, 46))
	for _, f := range fields {
		f.onTap = setActive
		left.Add(f.view())
	}
	for _, b := range below {
		left.Add(b)
	}
	if len(fields) > 0 {
		setActive(fields[0])
	}
	pad := []fyne.CanvasObject{}
	if extra != nil {
		pad = append(pad, extra)
	}
	next := widget.NewButton(u.T("ui.next"), func() { u.submit(answer()) })
	// On a portrait kiosk a column beside the fields would centre the keypad far down the tall
	// screen, away from the field and from the letters under it (card serial): the keypad goes
	// right under them instead, and the keys form one block.
	if u.portrait() {
		return container.NewBorder(nil, u.navRow(snap, next), nil, nil,
			container.NewVBox(left, u.keypad(target, pad...)))
	}
	// The keypad keeps its own width at the reading end; the fields take the rest.
	var cols fyne.CanvasObject
	if u.layer.RTL {
		cols = container.NewBorder(nil, nil, u.keypad(target, pad...), nil, left)
	} else {
		cols = container.NewBorder(nil, nil, nil, u.keypad(target, pad...), left)
	}
	return container.NewBorder(nil, u.navRow(snap, next), nil, nil, cols)
}

func (u *UI) mobileScreen(snap flow.Snapshot, st *screenState) fyne.CanvasObject {
	f := u.newField("ui.mobile.label", 11, string(snap.Mobile))
	return u.formScreen(snap, st, "ui.mobile.intro", []*field{f}, nil, func() flow.Answer {
		return flow.MobileNumber{Raw: f.String()}
	})
}

func (u *UI) otpScreen(snap flow.Snapshot, st *screenState, purpose flow.OTPPurpose) fyne.CanvasObject {
	state, intro := snap.MobileOTP, "ui.otp.mobile.intro"
	f := u.newField("ui.otp.label", 6, "")
	answer := func() flow.Answer { return flow.MobileCode{Raw: f.String()} }
	if purpose == flow.OTPSejam {
		state, intro = snap.SejamOTP, "ui.otp.sejam.intro"
		answer = func() flow.Answer { return flow.SejamCode{Raw: f.String()} }
	}
	countdown := widget.NewLabelWithStyle("", u.layer.Align(), fyne.TextStyle{})
	resendBtn := u.iconButton(u.T("ui.otp.resend"), theme.MailSendIcon(), func() {
		u.act(func(ctx context.Context) (flow.Snapshot, error) { return u.opt.Flow.Resend(ctx, purpose) })
	})
	tick := func() {
		now := u.opt.Now()
		if left := state.ExpiresAt.Sub(now); left > 0 {
			countdown.SetText(u.T("ui.otp.expires_in", "time", clock(left)))
		} else {
			countdown.SetText(u.T("ui.otp.expired"))
		}
		if wait := state.ResendAt.Sub(now); wait > 0 {
			resendBtn.SetText(u.T("ui.otp.resend_in", "seconds", itoa(int(wait.Seconds()+0.999))))
			resendBtn.Disable()
		} else {
			resendBtn.SetText(u.T("ui.otp.resend"))
			resendBtn.Enable()
		}
	}
	tick()
	u.every(st, time.Second, tick)
	below := []fyne.CanvasObject{countdown, u.tall(u.layer.Start(resendBtn))}
	if state.AttemptsLeft > 0 {
		below = append(below, u.para("ui.otp.attempts_left", 46, "n", itoa(state.AttemptsLeft)))
	}
	if state.DemoCode != "" {
		// Only the console SMS provider sets it: a demo kiosk has no phone to receive the code.
		below = append(below, u.label("ui.otp.demo_code", "code", state.DemoCode))
	}
	if purpose == flow.OTPMobile && snap.Mobile != "" {
		below = append([]fyne.CanvasObject{u.label("ui.otp.sent_to", "mobile", string(snap.Mobile))}, below...)
	}
	return u.formScreen(snap, st, intro, []*field{f}, nil, answer, below...)
}

func (u *UI) identityScreen(snap flow.Snapshot, st *screenState) fyne.CanvasObject {
	nc := u.newField("ui.identity.national_code", 10, "")
	tr := u.newField("ui.identity.tracking", 10, "")
	return u.formScreen(snap, st, "ui.identity.intro", []*field{nc, tr}, nil, func() flow.Answer {
		return flow.Identity{NationalCode: nc.String(), Tracking: tr.String()}
	})
}

func (u *UI) cardSerialScreen(snap flow.Snapshot, st *screenState) fyne.CanvasObject {
	f := u.newField("ui.card.label", kyc.CardSerialMaxLen, string(snap.CardSerial))
	// The letters go under the field, the digits on the keypad beside: both fit a 1024×768 screen
	// at touch size.
	return u.formScreen(snap, st, "ui.card.intro", []*field{f}, nil, func() flow.Answer {
		return flow.Card{Serial: f.String()}
	}, u.para("ui.card.hint", 52), u.letterPad(func() *field { return st.field }))
}

func (u *UI) reviewScreen(snap flow.Snapshot) fyne.CanvasObject {
	next := widget.NewButton(u.T("ui.review.confirm"), func() {
		u.submit(flow.ConfirmReview{})
	})
	body := container.NewVBox(u.para("ui.review.intro", 70))
	p := snap.Person
	if p == nil {
		body.Add(u.label("ui.review.no_data"))
		next.Disable()
		return container.NewBorder(nil, u.navRow(snap, next), nil, nil, body)
	}
	rows := []struct{ key, value string }{
		{"ui.review.first_name", p.FirstName},
		{"ui.review.last_name", p.LastName},
		{"ui.review.father_name", p.FatherName},
		{"ui.review.national_code", string(p.NationalCode)},
		{"ui.review.birth_date", jalaliDisplay(p.BirthDate)},
		{"ui.review.place_of_birth", p.PlaceOfBirth},
		{"ui.review.mobile", string(snap.Mobile)},
		{"ui.review.card_serial", string(snap.CardSerial)},
	}
	grid := container.NewVBox()
	for _, r := range rows {
		k := widget.NewLabelWithStyle(u.T(r.key), u.layer.Align(), fyne.TextStyle{})
		v := widget.NewLabelWithStyle(u.layer.Text(r.value), u.layer.Align(), fyne.TextStyle{Bold: true})
		grid.Add(container.NewGridWithColumns(2, u.layer.Order([]fyne.CanvasObject{k, v})...))
	}
	body.Add(grid)
	body.Add(u.para("ui.review.wrong", 70))
	return container.NewBorder(nil, u.navRow(snap, next), nil, nil, container.NewVScroll(body))
}

// jalaliDisplay shows a Jalali "YYYY/MM/DD" date as it is written in Persian: the same fields,
// which the layer turns into Persian digits; the slashes keep the year on the right in RTL.
func jalaliDisplay(d string) string {
	parts := strings.Split(d, "/")
	if len(parts) != 3 {
		return d
	}
	return parts[0] + "/" + parts[1] + "/" + parts[2]
}

func (u *UI) commitmentsScreen(snap flow.Snapshot) fyne.CanvasObject {
	accept := widget.NewButton(u.T("ui.commitments.accept"), func() {
		u.submit(flow.AcceptCommitments{})
	})
	accept.Disable()
	text := container.NewVBox()
	for i := 1; i <= commitmentCount; i++ {
		text.Add(u.heading(u.layer.Digits(itoa(i)) + ". " + u.raw("ui.commitments.item"+itoa(i)+".title")))
		text.Add(u.para("ui.commitments.item"+itoa(i), 70))
	}
	text.Add(u.para("ui.commitments.end", 70))
	scroll := container.NewVScroll(text)
	hint := u.label("ui.commitments.scroll_hint")
	// Accepting is possible only once the applicant has seen the end of the text: scrolled to it,
	// or at once when the whole text fits on the screen.
	reached := func() {
		h := scroll.Size().Height
		if !accept.Disabled() || h <= 0 || scroll.Offset.Y+h < text.MinSize().Height-4 {
			return
		}
		accept.Enable()
		hint.SetText(u.T("ui.commitments.read"))
	}
	scroll.OnScrolled = func(fyne.Position) { reached() }
	body := container.New(&afterLayout{then: reached}, scroll)
	return container.NewBorder(container.NewVBox(u.para("ui.commitments.intro", 70), hint), u.navRow(snap, accept), nil, nil, body)
}

// afterLayout stacks its objects like container.NewStack, then calls then (to react to the size
// the window gave them).
type afterLayout struct{ then func() }

func (l *afterLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	l.then()
}

func (l *afterLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

// commitmentCount is the number of ui.commitments.itemN texts.
const commitmentCount = 5

func (u *UI) resultScreen(snap flow.Snapshot) fyne.CanvasObject {
	var title, bodyKey string
	icon := theme.InfoIcon()
	switch snap.Step {
	case flow.StepSubmitted:
		title, bodyKey, icon = "ui.submitted.title", "ui.submitted.body", theme.ConfirmIcon()
	case flow.StepExpired:
		title, bodyKey = "ui.expired.title", "ui.expired.body"
		if snap.Outcome == "flow.outcome.abandoned" {
			// The applicant cancelled: the outcome already says the data is gone.
			title, bodyKey = "ui.cancelled.title", ""
		}
	case flow.StepLocked:
		title, bodyKey, icon = "ui.locked.title", "ui.locked.body", theme.WarningIcon()
	case flow.StepRejected:
		title, bodyKey, icon = "ui.rejected.title", "ui.rejected.body", theme.ErrorIcon()
	default:
		title, bodyKey = "ui.unknown.title", "ui.unknown.body"
	}
	box := container.NewVBox(
		u.layer.Ends(layout.NewSpacer(), u.toolbar(false)),
		container.NewCenter(container.NewGridWrap(u.sz(96, 96), widget.NewIcon(icon))),
		container.NewCenter(u.heading(u.raw(title))),
	)
	if snap.Outcome != "" {
		// An outcome key is shown without the arguments its error had; the one it may need, the
		// minimum age, is the kiosk's own configuration.
		box.Add(u.para(snap.Outcome, 70, "min", itoa(u.opt.MinAge)))
	}
	if bodyKey != "" {
		box.Add(u.para(bodyKey, 70))
	}
	if snap.Step == flow.StepSubmitted {
		box.Add(u.para("ui.submitted.next", 70))
	}
	again := widget.NewButton(u.T("ui.new_session"), func() {
		u.resetLanguage()
		u.act(u.opt.Flow.Start)
	})
	again.Importance = widget.HighImportance
	box.Add(layout.NewSpacer())
	box.Add(container.NewCenter(container.NewGridWrap(u.sz(360, 72), again)))
	return container.NewBorder(nil, u.messageArea(), nil, nil, container.NewPadded(box))
}

// every runs fn on the UI goroutine every d until the screen changes.
func (u *UI) every(st *screenState, d time.Duration, fn func()) {
	ctx, cancel := context.WithCancel(u.ctx)
	prev := st.cancel
	st.cancel = func() {
		cancel()
		if prev != nil {
			prev()
		}
	}
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fyne.Do(func() {
					if ctx.Err() == nil {
						fn()
					}
				})
			}
		}
	}()
}

// clock formats a duration as m:ss.
func clock(d time.Duration) string {
	s := int(d.Seconds() + 0.999)
	m, s := s/60, s%60
	ss := itoa(s)
	if s < 10 {
		ss = "0" + ss
	}
	return itoa(m) + ":" + ss
}
