package ui

import (
	"context"
	"errors"
	"image"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/camera"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/capture"
	"github.com/ehraz/ehraz/plugins/sdk"
)

const (
	previewW, previewH = 640, 480
	viewW, viewH       = 576, 432 // on screen, leaving room for the instructions column
	sideW              = 380
	sideChars          = 34                     // characters per instruction line in that column
	portraitZoom       = 1.6                    // the picture's size on a portrait screen, times viewW×viewH
	portraitSideH      = 560                    // the instructions' height under it
	hintInterval       = 400 * time.Millisecond // AnalyzeFrame rate: guidance, not tracking
	videoFPS           = 8
	countdownFrom      = 3
	firstFrameWait     = 3 * time.Second // a shot right after the camera started waits this long for a frame
)

// recordingTail is recorded after the last challenge window closes.
const recordingTail = 300 * time.Millisecond

// PreviewFrames reports how many camera frames the current capture screen has read and drawn
// (the preview benchmark divides them by the elapsed time).
func (u *UI) PreviewFrames() (read, shown int) {
	u.mu.Lock()
	pv := u.pv
	u.mu.Unlock()
	if pv == nil {
		return 0, 0
	}
	return pv.Counts()
}

// captureScreen is the selfie, signature and video screen: live preview with its guide, the
// hint area, the capture button with a countdown, and the verdict with a retake.
func (u *UI) captureScreen(snap flow.Snapshot, st *screenState) fyne.CanvasObject {
	step := snap.Step
	img := canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, previewW, previewH)))
	img.FillMode = canvas.ImageFillStretch
	img.ScaleMode = canvas.ImageScaleFastest
	// The countdown, the seconds left and «checking» are shown beside the picture, never over
	// the face; only camera trouble (when there is no face to cover) is written over it.
	status := newStatusView()
	trouble := newStatusView()
	overlay := u.guideOverlay(step)
	bg := canvas.NewRectangle(color.NRGBA{R: 0xd0, G: 0xd4, B: 0xd8, A: 0xff})
	layers := []fyne.CanvasObject{bg, img, overlay, container.NewCenter(trouble.view)}
	if u.opt.Camera != nil && u.opt.Camera.Info().Kind == "demo" {
		layers = append(layers, u.demoBadge())
	}
	// A portrait screen (1080×1920) puts a larger picture above the instructions; a landscape one
	// puts them side by side.
	portrait := u.portrait()
	vw, vh := float32(viewW), float32(viewH)
	if portrait {
		vw, vh = vw*portraitZoom, vh*portraitZoom
	}
	view := container.NewGridWrap(u.sz(vw, vh), container.NewStack(layers...))

	hints := container.NewVBox()
	// The preview outlives a retake (the last frame stays usable) but not a step.
	u.mu.Lock()
	if u.pv == nil || u.pvStep != step {
		u.pv, u.pvStep = &camera.Preview{}, step
	}
	pv := u.pv
	u.mu.Unlock()
	ctx, cancel := context.WithCancel(u.ctx)
	st.cancel = cancel
	// cam is the shoot button's state, touched on the UI goroutine only: enabled while frames
	// arrive and no capture is under way.
	cam := &shotState{}

	intro := container.NewVBox(u.para("ui."+string(step)+".intro", sideChars))
	// A drawing of what the step asks for: the pose, the sheet in its frame, the fingers.
	guide := map[flow.Step]string{flow.StepSelfie: "pose", flow.StepSignature: "sheet", flow.StepVideo: "fingers"}[step]
	intro.Add(container.NewCenter(container.NewGridWrap(u.sz(150, 120), u.picture("guide", guide))))
	// The numbers to show stay in sight above the scrolling instructions, under the countdown.
	var challenge *challengeRow
	top := container.NewVBox(status.view)
	if step == flow.StepVideo {
		var view fyne.CanvasObject
		challenge, view = u.challengeView(snap.Challenge, snap.Windows)
		top.Add(view)
	}
	u.mu.Lock()
	v := u.verdict
	u.mu.Unlock()
	if v != nil {
		intro.Add(u.verdictView(*v))
	}
	intro.Add(widget.NewSeparator())
	intro.Add(u.heading(u.raw("ui.hints.title")))
	intro.Add(hints)
	if u.opt.Analyzer == nil {
		hints.Add(u.label("ui.hints.unavailable"))
	}

	var shoot *widget.Button
	shootKey := "ui.capture.take"
	if step == flow.StepVideo {
		shootKey = "ui.capture.record"
	}
	if v != nil {
		shootKey = "ui.capture.retake"
		if step == flow.StepVideo {
			shootKey = "ui.capture.rerecord"
		}
	}
	shoot = u.iconButton(u.T(shootKey), theme.MediaPhotoIcon(), func() {
		cam.shooting = true
		shoot.Disable()
		u.touch()
		u.busy.Add(1) // released once the flow call is under way (tests wait on it)
		u.countdown(ctx, status, func() {
			if step == flow.StepVideo {
				u.record(ctx, pv, status, challenge, snap.Challenge, snap.Windows)
				return
			}
			u.still(ctx, pv, step, status)
		})
	})
	cam.shoot = shoot
	// Live from the start when the preview has a fresh frame (a retake), else from the first one.
	if last, at := pv.Latest(); last != nil && time.Since(at) < time.Second {
		img.Image = last
		cam.setLive(true)
	} else {
		shoot.Disable()
	}
	// A camera that can act out the steps (the demo camera) shows what this one asks for.
	if sc, ok := u.opt.Camera.(capture.Scener); ok {
		sc.SetScene(camera.SceneFor(step, snap.Challenge))
	}
	if u.opt.Camera == nil {
		u.notice(trouble, "ui.camera.unavailable")
	} else {
		go pv.Read(ctx, u.opt.Camera, &previewDisplay{u: u, ctx: ctx, pv: pv, img: img, status: trouble, cam: cam})
		go camera.Hints(ctx, pv, u.opt.Analyzer, step, hintInterval, func(res sdk.FrameAnalysis, err error) {
			fyne.Do(func() {
				u.showHints(ctx, hints, res, err)
				if ctx.Err() == nil {
					challenge.seen(res.Fingers, err) // the live count beside the number due
				}
			})
		})
	}
	side := container.NewBorder(top, nil, nil, nil, container.NewVScroll(intro))
	var cols fyne.CanvasObject
	if portrait {
		cols = container.NewVBox(view, container.NewGridWrap(u.sz(vw, portraitSideH), side))
	} else {
		cols = container.NewHBox(u.layer.Order([]fyne.CanvasObject{container.NewGridWrap(u.sz(sideW, viewH), side), view})...)
	}
	return container.NewBorder(nil, u.navRow(snap, shoot), nil, nil, container.NewCenter(cols))
}

// guideOverlay draws the oval for a face or the paper frame for a signature over the preview.
// The face oval is a picture (Fyne's Circle draws a capsule in a non-square box) that also dims
// everything outside the oval, so the applicant sees where to put the face.
func (u *UI) guideOverlay(step flow.Step) fyne.CanvasObject {
	g := flow.Guide(step)
	if step == flow.StepSignature {
		r := canvas.NewRectangle(color.Transparent)
		r.StrokeColor = color.NRGBA{R: 0xff, G: 0xd0, B: 0x00, A: 0xff}
		r.StrokeWidth = 4
		r.CornerRadius = 6
		return container.New(&guideLayout{rect: g}, r)
	}
	img := canvas.NewImageFromImage(ovalMask(previewW/2, previewH/2, g))
	img.FillMode = canvas.ImageFillStretch
	return img
}

// ovalMask is a w×h picture: transparent inside the guide's ellipse, a white ring on its edge,
// dimmed outside.
func ovalMask(w, h int, g sdk.Rect) image.Image {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	cx, cy := (g.X+g.W/2)*float64(w), (g.Y+g.H/2)*float64(h)
	a, b := g.W/2*float64(w), g.H/2*float64(h)
	ring := 3.0 / a
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := (float64(x)+0.5-cx)/a, (float64(y)+0.5-cy)/b
			d := dx*dx + dy*dy
			switch {
			case d < 1-ring:
			case d < 1+ring:
				m.SetNRGBA(x, y, color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xf0})
			default:
				m.SetNRGBA(x, y, color.NRGBA{A: 0x70})
			}
		}
	}
	return m
}

// guideLayout places its object at a normalized rectangle of its area.
type guideLayout struct{ rect sdk.Rect }

func (l *guideLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(float32(l.rect.X)*size.Width, float32(l.rect.Y)*size.Height))
		o.Resize(fyne.NewSize(float32(l.rect.W)*size.Width, float32(l.rect.H)*size.Height))
	}
}

func (l *guideLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }

// previewDisplay shows what the camera reader reports on a capture screen: the picture, the
// shoot button's live state and the camera messages. Its methods move to the UI goroutine.
type previewDisplay struct {
	u      *UI
	ctx    context.Context
	pv     *camera.Preview
	img    *canvas.Image
	status *statusView
	cam    *shotState
}

func (d *previewDisplay) Lost(err error) {
	key := "ui.camera.disconnected"
	if !errors.Is(err, capture.ErrDisconnected) {
		key = "ui.camera.error"
	}
	if errors.Is(err, capture.ErrRefused) {
		key = capture.ReasonRefused
	}
	fyne.Do(func() {
		if d.ctx.Err() == nil {
			d.cam.setLive(false)
			d.u.notice(d.status, key)
		}
	})
}

func (d *previewDisplay) Live() {
	fyne.Do(func() {
		if d.ctx.Err() != nil {
			return
		}
		d.cam.setLive(true)
		if d.status.SizeName == theme.SizeNameText {
			d.status.SetText("")
			d.status.SizeName = theme.SizeNameHeadingText
		}
	})
}

func (d *previewDisplay) Draw() {
	fyne.Do(func() {
		latest := d.pv.Take()
		if d.ctx.Err() == nil && latest != nil {
			d.img.Image = latest
			d.img.Refresh()
		}
	})
}

// showHints lists a live analysis (UI goroutine).
func (u *UI) showHints(ctx context.Context, hints *fyne.Container, res sdk.FrameAnalysis, err error) {
	if ctx.Err() != nil {
		return
	}
	hints.RemoveAll()
	if err != nil {
		hints.Add(u.label("ui.hints.unavailable"))
		return
	}
	if len(res.Hints) == 0 && res.Ready {
		hints.Add(u.hintLine("ui.hints.ready", 0))
	}
	for _, h := range res.Hints {
		hints.Add(u.hintLine(h.Key, h.Severity))
	}
}

func (u *UI) hintLine(key string, severity int) fyne.CanvasObject {
	col := theme.Color(theme.ColorNameForeground)
	switch severity {
	case 1:
		col = color.NRGBA{R: 0xb3, G: 0x6b, B: 0x00, A: 0xff}
	case 2:
		col = theme.Color(theme.ColorNameError)
	}
	t := canvas.NewText(u.T(key), col)
	t.TextSize = u.px(textSize)
	t.Alignment = u.layer.Align()
	return t
}

// countdown shows 3, 2, 1 over the preview, then runs done on the UI goroutine.
func (u *UI) countdown(ctx context.Context, status *statusView, done func()) {
	go func() {
		ok := camera.Countdown(ctx, countdownFrom, u.opt.Timing.Countdown, func(n int) {
			fyne.Do(func() {
				status.SizeName = theme.SizeNameHeadingText
				status.SetText(u.layer.Digits(itoa(n)))
			})
		})
		if !ok {
			u.busy.Done()
			return
		}
		fyne.Do(func() {
			status.SetText("")
			if ctx.Err() == nil {
				done()
			} else {
				u.busy.Done()
			}
		})
	}()
}

// still sends the latest frame to the flow as the selfie or signature photo.
func (u *UI) still(ctx context.Context, pv *camera.Preview, step flow.Step, status *statusView) {
	status.SetText(u.T("ui.capture.checking"))
	go func() {
		defer u.busy.Done()
		img, err := camera.Still(ctx, pv, firstFrameWait)
		if errors.Is(err, camera.ErrNoFrame) {
			fyne.Do(func() { u.notice(status, "ui.camera.no_frame") })
			return
		}
		var a flow.Answer = flow.Selfie{Image: img}
		if step == flow.StepSignature {
			a = flow.Signature{Image: img}
		}
		u.submitCapture(a, err)
	}()
}

// submitCapture sends a capture to the flow (unless making it failed) and keeps its verdict for
// the retake screen.
func (u *UI) submitCapture(a flow.Answer, made error) {
	u.act(func(ctx context.Context) (flow.Snapshot, error) {
		if made != nil {
			return u.opt.Flow.Snapshot(), made
		}
		snap, err := u.opt.Flow.Submit(ctx, a)
		if c, ok := snap.Checks[a.Step()]; ok && err == nil {
			u.mu.Lock()
			u.verdict = &c.Verdict
			u.mu.Unlock()
		}
		return snap, err
	})
}

// record runs the video take (camera.Recording) and sends its frames with the challenge. The
// status shows the seconds left and the challenge row lights the number due now: during its
// window when the challenge has windows (the recording then lasts at least until the last one
// closes, plus recordingTail), else an even share each. With Options.RecordVideo set, the same
// frames also go to a video file. nums and windows are the challenge, for a camera that acts it
// out.
func (u *UI) record(ctx context.Context, pv *camera.Preview, status *statusView, ch *challengeRow, nums []int, windows []sdk.Window) {
	length := u.opt.Timing.VideoLength
	if n := len(windows); n > 0 {
		length = max(length, time.Duration(windows[n-1].EndMS)*time.Millisecond+recordingTail)
	}
	sched := camera.Schedule{N: ch.count(), Length: length}
	due := func(el time.Duration) int {
		if len(windows) > 0 {
			return camera.WindowAt(windows, el)
		}
		return sched.At(el)
	}
	showLeft := func(left time.Duration) {
		secs := int((left + time.Second - 1) / time.Second)
		status.SetText(u.T("ui.capture.recording_left", "s", u.layer.Digits(itoa(secs))))
	}
	showLeft(length)
	// Each number is spoken as it lights up (voice guidance), once.
	lit := -1
	light := func(i int) {
		ch.light(i)
		if i != lit && i >= 0 && i < len(nums) {
			u.sayNumber(nums[i])
		}
		lit = i
	}
	light(due(0))
	scener, _ := u.opt.Camera.(capture.Scener) // read on the UI goroutine
	take := camera.Recording{Length: length, FPS: videoFPS, Challenge: nums, Windows: windows, Scener: scener, Open: u.opt.RecordVideo,
		Progress: func(el time.Duration) {
			fyne.Do(func() {
				showLeft(length - el)
				light(due(el))
			})
		}}
	go func() {
		defer u.busy.Done()
		frames, err := take.Run(ctx, pv)
		if err != nil {
			fyne.Do(func() { ch.light(-1) })
			return
		}
		fyne.Do(func() {
			ch.light(-1)
			status.SetText(u.T("ui.capture.checking"))
		})
		u.submitCapture(flow.Video{Frames: frames}, nil)
	}()
}

// shotState is the shoot button's state on a capture screen (UI goroutine only).
type shotState struct {
	shoot    *widget.Button
	shooting bool
	live     bool
}

func (c *shotState) setLive(live bool) {
	c.live = live
	if c.shoot == nil {
		return
	}
	if live && !c.shooting {
		c.shoot.Enable()
	} else {
		c.shoot.Disable()
	}
}

// challengeRow is the video step's numbers on screen; light marks the one to show now, and the
// live line under them tells how many fingers the liveness plugin sees now beside the number
// due (from the preview's frame hints).
type challengeRow struct {
	digits []*canvas.Text
	nums   []int
	fg, hi color.Color
	live   *canvas.Text
	lit    int // the number due now (-1: none)
	// last is the latest live count; ok is false until one arrived, and after an error.
	last   sdk.FingerCount
	ok     bool
	text   func(seen sdk.FingerCount, want int) string
	colour func(match bool) color.Color
}

// seen shows the latest live count (UI goroutine). Safe on a nil row.
func (c *challengeRow) seen(n sdk.FingerCount, err error) {
	if c == nil {
		return
	}
	c.last, c.ok = n, err == nil
	c.showLive()
}

func (c *challengeRow) showLive() {
	if c.live == nil {
		return
	}
	want := -1
	if c.lit >= 0 && c.lit < len(c.nums) {
		want = c.nums[c.lit]
	}
	text := ""
	if c.ok {
		text = c.text(c.last, want)
	}
	col := c.colour(c.last.Known && c.last.N == want)
	if c.live.Text != text || c.live.Color != col {
		c.live.Text, c.live.Color = text, col
		c.live.Refresh()
	}
}

// light marks number i (-1: none). Safe on a nil row (no challenge).
func (c *challengeRow) light(i int) {
	if c == nil {
		return
	}
	if c.lit != i {
		c.lit = i
		c.showLive()
	}
	for j, d := range c.digits {
		col := c.fg
		if j == i {
			col = c.hi
		}
		if d.Color != col {
			d.Color = col
			d.Refresh()
		}
	}
}

// count is how many numbers the row shows (0 on a nil row).
func (c *challengeRow) count() int {
	if c == nil {
		return 0
	}
	return len(c.digits)
}

// challengeView shows the finger numbers always left to right (the plugin checks that order),
// with arrows and «first» under the leftmost number: a Persian reader would otherwise start on
// the right. Under them, the live count: «انگشت‌های دیده‌شده: ۳ از ۲» while number 2 is due.
// With windows the applicant is told to show each number while it is lit.
func (u *UI) challengeView(nums []int, windows []sdk.Window) (*challengeRow, fyne.CanvasObject) {
	if len(nums) == 0 {
		return nil, u.label("ui.video.no_challenge")
	}
	ch := &challengeRow{fg: theme.Color(theme.ColorNameForeground), hi: theme.Color(theme.ColorNamePrimary),
		nums: nums, lit: -1}
	ch.text = func(seen sdk.FingerCount, want int) string {
		n := "—"
		if seen.Known {
			n = u.layer.Digits(itoa(seen.N))
		}
		if want < 0 {
			return u.T("ui.video.fingers_seen_now", "n", n)
		}
		return u.T("ui.video.fingers_seen", "n", n, "want", u.layer.Digits(itoa(want)))
	}
	warn := color.NRGBA{R: 0xb3, G: 0x6b, B: 0x00, A: 0xff}
	ch.colour = func(match bool) color.Color {
		if match {
			return theme.Color(theme.ColorNameSuccess)
		}
		return warn
	}
	ch.live = canvas.NewText("", warn)
	ch.live.TextSize = u.px(textSize)
	ch.live.TextStyle.Bold = true
	ch.live.Alignment = fyne.TextAlignCenter
	row := container.NewHBox()
	for i, n := range nums {
		if i > 0 {
			a := canvas.NewText("→", theme.Color(theme.ColorNamePrimary))
			a.TextSize = u.px(36)
			// As tall as a digit, so the arrow sits at the digits' middle, not the row's.
			tall := canvas.NewText("0", color.Transparent)
			tall.TextSize = u.px(56)
			row.Add(container.NewVBox(container.NewStack(tall, container.NewCenter(a))))
		}
		d := canvas.NewText(u.layer.Digits(itoa(n)), ch.fg)
		d.TextSize = u.px(56)
		d.TextStyle.Bold = true
		ch.digits = append(ch.digits, d)
		cell := container.NewVBox(container.NewCenter(d))
		if i == 0 {
			first := canvas.NewText(u.T("ui.video.first"), theme.Color(theme.ColorNamePrimary))
			first.TextSize = u.px(textSize)
			cell.Add(container.NewCenter(first))
		}
		row.Add(cell)
	}
	order := "ui.video.order"
	if len(windows) > 0 {
		order = "ui.video.order_windows"
	}
	return ch, container.NewVBox(u.para(order, sideChars), container.NewCenter(row), ch.live)
}

// demoBadge labels the synthetic camera's picture so nobody takes it for a real one.
func (u *UI) demoBadge() fyne.CanvasObject {
	t := canvas.NewText(u.T("ui.camera.demo"), color.White)
	t.TextSize = u.px(textSize)
	t.TextStyle.Bold = true
	bg := canvas.NewRectangle(color.NRGBA{R: 0xb0, G: 0x30, B: 0x30, A: 0xd0})
	bg.CornerRadius = 4
	badge := container.NewStack(bg, container.NewPadded(t))
	return container.NewVBox(container.NewHBox(u.layer.Order([]fyne.CanvasObject{badge, layout.NewSpacer()})...))
}

// verdictView lists a capture verdict's outcome and, as plain advice, its reasons.
func (u *UI) verdictView(v sdk.Verdict) fyne.CanvasObject {
	key := "ui.verdict." + v.Outcome.Effective().String()
	box := container.NewVBox(u.heading(u.raw(key)))
	for _, r := range adviceFor(v.Reasons) {
		box.Add(u.para(r, sideChars))
	}
	return box
}

// notice shows a camera message over the preview, wrapped and at text size.
func (u *UI) notice(status *statusView, key string) {
	status.SizeName = theme.SizeNameText
	status.SetText(strings.Join(u.wrapped(u.raw(key), 36), "\n"))
}

// statusView is the text over the preview (countdown, recording, camera messages) on a light
// panel, so it stays readable over any picture; the panel hides with the text.
type statusView struct {
	*widget.Label
	bg   *canvas.Rectangle
	view fyne.CanvasObject
}

func newStatusView() *statusView {
	l := widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameHeadingText
	l.Importance = widget.HighImportance
	bg := canvas.NewRectangle(color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xe6})
	bg.CornerRadius = 8
	bg.Hide()
	return &statusView{Label: l, bg: bg, view: container.NewStack(bg, container.NewPadded(l))}
}

// SetText shows text, with its panel when it is not empty.
func (s *statusView) SetText(text string) {
	s.Label.SetText(text)
	if text == "" {
		s.bg.Hide()
	} else {
		s.bg.Show()
	}
}
