package ui

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/capture"
	"github.com/ehraz/ehraz/plugins/sdk"
)

const (
	previewW, previewH = 640, 480
	viewW, viewH       = 576, 432 // on screen, leaving room for the instructions column
	sideW              = 380
	sideChars          = 34                     // characters per instruction line in that column
	hintInterval       = 400 * time.Millisecond // AnalyzeFrame rate: guidance, not tracking
	videoFPS           = 8
	countdownFrom      = 3
)

// guideFor is the shape drawn over the preview, in normalized frame coordinates: the paper frame
// for a signature, the face oval otherwise. The same rectangle goes to the plugins so their hints
// refer to what the applicant sees.
func guideFor(step flow.Step) sdk.Rect {
	if step == flow.StepSignature {
		return sdk.Rect{X: 0.1, Y: 0.15, W: 0.8, H: 0.7}
	}
	return sdk.Rect{X: 0.3, Y: 0.1, W: 0.4, H: 0.75}
}

func purposeFor(step flow.Step) sdk.Purpose {
	switch step {
	case flow.StepSignature:
		return sdk.PurposeSignature
	case flow.StepVideo:
		return sdk.PurposeVideo
	}
	return sdk.PurposeSelfie
}

// preview holds the latest camera frame; the reader goroutine writes it, the UI and the capture
// read it.
type preview struct {
	mu      sync.Mutex
	last    *image.RGBA
	at      time.Time
	frames  int  // frames read from the camera
	shown   int  // frames drawn on the UI goroutine
	pending bool // a draw is queued with fyne.Do
}

// PreviewFrames reports how many camera frames the current capture screen has read and drawn
// (the preview benchmark divides them by the elapsed time).
func (u *UI) PreviewFrames() (read, shown int) {
	u.mu.Lock()
	pv := u.pv
	u.mu.Unlock()
	if pv == nil {
		return 0, 0
	}
	pv.mu.Lock()
	defer pv.mu.Unlock()
	return pv.frames, pv.shown
}

// set stores the newest frame and reports whether a draw must be queued (none is pending).
func (p *preview) set(img *image.RGBA, at time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last, p.at = img, at
	p.frames++
	queue := !p.pending
	p.pending = true
	return queue
}

// take is the queued draw's side: the newest frame, counted as shown.
func (p *preview) take() *image.RGBA {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = false
	p.shown++
	return p.last
}

func (p *preview) get() (*image.RGBA, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last, p.at
}

// captureScreen is the selfie, signature and video screen: live preview with its guide, the
// hint area, the capture button with a countdown, and the verdict with a retake.
func (u *UI) captureScreen(snap flow.Snapshot, st *screenState) fyne.CanvasObject {
	step := snap.Step
	img := canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, previewW, previewH)))
	img.FillMode = canvas.ImageFillStretch
	img.ScaleMode = canvas.ImageScaleFastest
	status := newStatusView()
	overlay := u.guideOverlay(step)
	bg := canvas.NewRectangle(color.NRGBA{R: 0xd0, G: 0xd4, B: 0xd8, A: 0xff})
	layers := []fyne.CanvasObject{bg, img, overlay, container.NewCenter(status.view)}
	if u.opt.Camera != nil && u.opt.Camera.Info().Kind == "demo" {
		layers = append(layers, u.demoBadge())
	}
	view := container.NewGridWrap(fyne.NewSize(viewW, viewH), container.NewStack(layers...))

	hints := container.NewVBox()
	// The preview outlives a retake (the last frame stays usable) but not a step.
	u.mu.Lock()
	if u.pv == nil || u.pvStep != step {
		u.pv, u.pvStep = &preview{}, step
	}
	pv := u.pv
	u.mu.Unlock()
	ctx, cancel := context.WithCancel(u.ctx)
	st.cancel = cancel
	// cam is the shoot button's state, touched on the UI goroutine only: enabled while frames
	// arrive and no capture is under way.
	cam := &shotState{}

	intro := container.NewVBox(u.para("ui."+string(step)+".intro", sideChars))
	var challenge *challengeRow
	if step == flow.StepVideo {
		var view fyne.CanvasObject
		challenge, view = u.challengeView(snap.Challenge)
		intro.Add(view)
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
	}
	shoot = u.iconButton(u.T(shootKey), theme.MediaPhotoIcon(), func() {
		cam.shooting = true
		shoot.Disable()
		u.touch()
		u.busy.Add(1) // released once the flow call is under way (tests wait on it)
		u.countdown(ctx, status, func() {
			if step == flow.StepVideo {
				u.record(ctx, pv, status, challenge, snap.Challenge)
				return
			}
			u.still(ctx, pv, step, status)
		})
	})
	cam.shoot = shoot
	// Live from the start when the preview has a fresh frame (a retake), else from the first one.
	if last, at := pv.get(); last != nil && time.Since(at) < time.Second {
		img.Image = last
		cam.setLive(true)
	} else {
		shoot.Disable()
	}
	// A camera that can act out the steps (the demo camera) shows what this one asks for.
	if sc, ok := u.opt.Camera.(capture.Scener); ok {
		scene := capture.Scene{Kind: capture.SceneFace}
		switch step {
		case flow.StepSignature:
			scene.Kind = capture.SceneSignature
		case flow.StepVideo:
			scene = capture.Scene{Kind: capture.SceneChallenge, Numbers: snap.Challenge}
		}
		sc.SetScene(scene)
	}
	if u.opt.Camera == nil {
		u.notice(status, "ui.camera.unavailable")
	} else {
		go u.readCamera(ctx, u.opt.Camera, pv, img, status, cam)
		go u.analyze(ctx, pv, step, hints)
	}
	cols := container.NewBorder(nil, nil, nil, nil,
		container.NewHBox(u.layer.Order([]fyne.CanvasObject{container.NewGridWrap(fyne.NewSize(sideW, viewH), intro), view})...))
	return container.NewBorder(nil, u.navRow(snap, shoot), nil, nil, container.NewCenter(cols))
}

// guideOverlay draws the oval for a face or the paper frame for a signature over the preview.
// The face oval is a picture (Fyne's Circle draws a capsule in a non-square box) that also dims
// everything outside the oval, so the applicant sees where to put the face.
func (u *UI) guideOverlay(step flow.Step) fyne.CanvasObject {
	g := guideFor(step)
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

// readCamera reads frames in its own goroutine and pushes each to the image through fyne.Do; a
// pulled camera shows a message and the loop keeps calling Read, which reconnects.
func (u *UI) readCamera(ctx context.Context, src capture.Source, pv *preview, img *canvas.Image, status *statusView, cam *shotState) {
	lost, first := false, true
	for ctx.Err() == nil {
		f, err := src.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !lost {
				lost = true
				key := "ui.camera.disconnected"
				if !errors.Is(err, capture.ErrDisconnected) {
					key = "ui.camera.error"
				}
				fyne.Do(func() {
					if ctx.Err() == nil {
						cam.setLive(false)
						u.notice(status, key)
					}
				})
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(500 * time.Millisecond):
			}
			continue
		}
		if lost || first {
			lost, first = false, false
			fyne.Do(func() {
				if ctx.Err() != nil {
					return
				}
				cam.setLive(true)
				if status.SizeName == theme.SizeNameText {
					status.SetText("")
					status.SizeName = theme.SizeNameHeadingText
				}
			})
		}
		// At most one draw is queued: when the UI goroutine falls behind, frames are skipped
		// instead of piling up in fyne.Do's queue, and the newest one is drawn.
		if pv.set(f.Img, f.Time) {
			fyne.Do(func() {
				latest := pv.take()
				if ctx.Err() == nil && latest != nil {
					img.Image = latest
					img.Refresh()
				}
			})
		}
	}
}

// analyze asks the plugin host for live guidance at a throttled rate, off the UI goroutine.
func (u *UI) analyze(ctx context.Context, pv *preview, step flow.Step, hints *fyne.Container) {
	if u.opt.Analyzer == nil {
		return
	}
	t := time.NewTicker(hintInterval)
	defer t.Stop()
	var lastAt time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		frame, at := pv.get()
		if frame == nil || !at.After(lastAt) {
			continue
		}
		lastAt = at
		enc, err := encodeJPEG(frame, 80)
		if err != nil {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		res, err := u.opt.Analyzer.AnalyzeFrame(cctx, sdk.FrameRequest{Image: enc, Purpose: purposeFor(step), Guide: guideFor(step)})
		cancel()
		if ctx.Err() != nil {
			return
		}
		fyne.Do(func() {
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
		})
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
	t.TextSize = 18
	t.Alignment = u.layer.Align()
	return t
}

// countdown shows 3, 2, 1 over the preview, then runs done on the UI goroutine.
func (u *UI) countdown(ctx context.Context, status *statusView, done func()) {
	go func() {
		for n := countdownFrom; n > 0; n-- {
			n := n
			fyne.Do(func() {
				status.SizeName = theme.SizeNameHeadingText
				status.SetText(u.layer.Digits(itoa(n)))
			})
			select {
			case <-ctx.Done():
				u.busy.Done()
				return
			case <-time.After(u.opt.Timing.Countdown):
			}
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

// still sends the latest frame to the flow as the selfie or signature photo, waiting briefly for
// the first frame when the camera has only just started.
func (u *UI) still(ctx context.Context, pv *preview, step flow.Step, status *statusView) {
	status.SetText(u.T("ui.capture.checking"))
	go func() {
		defer u.busy.Done()
		deadline := time.Now().Add(3 * time.Second)
		frame, _ := pv.get()
		for frame == nil && time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
			frame, _ = pv.get()
		}
		if frame == nil {
			fyne.Do(func() { u.notice(status, "ui.camera.no_frame") })
			return
		}
		u.submitStill(step, frame)
	}()
}

func (u *UI) submitStill(step flow.Step, frame image.Image) {
	u.act(func(ctx context.Context) error {
		enc, err := encodeJPEG(frame, 92)
		if err != nil {
			return err
		}
		var v sdk.Verdict
		if step == flow.StepSignature {
			v, err = u.opt.Flow.SubmitSignature(ctx, enc)
		} else {
			v, err = u.opt.Flow.SubmitSelfie(ctx, enc)
		}
		u.keepVerdict(v, err)
		return err
	})
}

func (u *UI) keepVerdict(v sdk.Verdict, err error) {
	if err != nil {
		return
	}
	u.mu.Lock()
	u.verdict = &v
	u.mu.Unlock()
}

// record collects videoLength of frames at videoFPS and sends them with the challenge.
// The status shows the seconds left and the challenge row lights the number to show now (the
// recording time split evenly between the numbers). With Options.RecordVideo set, the same frames
// also go to a video file. nums are the challenge's numbers, for a camera that acts them out.
func (u *UI) record(ctx context.Context, pv *preview, status *statusView, ch *challengeRow, nums []int) {
	length := u.opt.Timing.VideoLength
	showLeft := func(left time.Duration) {
		secs := int((left + time.Second - 1) / time.Second)
		status.SetText(u.T("ui.capture.recording_left", "s", u.layer.Digits(itoa(secs))))
	}
	showLeft(length)
	ch.light(0)
	scener, _ := u.opt.Camera.(capture.Scener) // read on the UI goroutine
	go func() {
		defer u.busy.Done()
		rec := u.openRecording()
		var frames []sdk.Frame
		start := time.Now()
		if scener != nil && len(nums) > 0 {
			scener.SetScene(capture.Scene{Kind: capture.SceneChallenge, Numbers: nums, Start: start,
				Hold: length / time.Duration(len(nums))})
		}
		t := time.NewTicker(time.Second / videoFPS)
		defer t.Stop()
		var lastAt time.Time
		for el := time.Duration(0); el < length; el = time.Since(start) {
			select {
			case <-ctx.Done():
				closeRecording(rec)
				fyne.Do(func() { ch.light(-1) })
				return
			case <-t.C:
			}
			el = time.Since(start)
			fyne.Do(func() {
				showLeft(length - el)
				ch.light(ch.at(el, length))
			})
			img, at := pv.get()
			if img == nil || !at.After(lastAt) {
				continue
			}
			lastAt = at
			enc, err := encodeJPEG(img, 85)
			if err != nil {
				continue
			}
			frames = append(frames, sdk.Frame{Image: enc, TimestampMS: at.Sub(start).Milliseconds()})
			if rec != nil && rec.Write(capture.Frame{Img: img, Seq: uint64(len(frames)), Time: at}) != nil {
				closeRecording(rec) // a failed recording must not stop the check
				rec = nil
			}
		}
		closeRecording(rec)
		fyne.Do(func() {
			ch.light(-1)
			status.SetText(u.T("ui.capture.checking"))
		})
		u.submitVideo(frames)
	}()
}

// VideoRecorder receives the video step's frames (capture/cvcam.Recorder writes an AVI).
type VideoRecorder interface {
	Write(f capture.Frame) error
	Close() error
}

func (u *UI) openRecording() VideoRecorder {
	if u.opt.RecordVideo == nil {
		return nil
	}
	rec, err := u.opt.RecordVideo()
	if err != nil {
		return nil // the check goes on without a file
	}
	return rec
}

func closeRecording(rec VideoRecorder) {
	if rec != nil {
		_ = rec.Close() // best effort: the frames also went to the flow
	}
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

func (u *UI) submitVideo(frames []sdk.Frame) {
	u.act(func(ctx context.Context) error {
		v, err := u.opt.Flow.SubmitVideo(ctx, frames)
		u.keepVerdict(v, err)
		return err
	})
}

// challengeRow is the video step's numbers on screen; light marks the one to show now.
type challengeRow struct {
	digits []*canvas.Text
	fg, hi color.Color
}

// light marks number i (-1: none). Safe on a nil row (no challenge).
func (c *challengeRow) light(i int) {
	if c == nil {
		return
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

// at is the number to show el into a recording of length.
func (c *challengeRow) at(el, length time.Duration) int {
	if c == nil || len(c.digits) == 0 || length <= 0 {
		return -1
	}
	return min(int(int64(el)*int64(len(c.digits))/int64(length)), len(c.digits)-1)
}

// challengeView shows the finger numbers always left to right (the plugin checks that order),
// with arrows and «first» under the leftmost number: a Persian reader would otherwise start on
// the right.
func (u *UI) challengeView(nums []int) (*challengeRow, fyne.CanvasObject) {
	if len(nums) == 0 {
		return nil, u.label("ui.video.no_challenge")
	}
	ch := &challengeRow{fg: theme.Color(theme.ColorNameForeground), hi: theme.Color(theme.ColorNamePrimary)}
	row := container.NewHBox()
	for i, n := range nums {
		if i > 0 {
			a := canvas.NewText("→", theme.Color(theme.ColorNamePrimary))
			a.TextSize = 36
			// As tall as a digit, so the arrow sits at the digits' middle, not the row's.
			tall := canvas.NewText("0", color.Transparent)
			tall.TextSize = 56
			row.Add(container.NewVBox(container.NewStack(tall, container.NewCenter(a))))
		}
		d := canvas.NewText(u.layer.Digits(itoa(n)), ch.fg)
		d.TextSize = 56
		d.TextStyle.Bold = true
		ch.digits = append(ch.digits, d)
		cell := container.NewVBox(container.NewCenter(d))
		if i == 0 {
			first := canvas.NewText(u.T("ui.video.first"), theme.Color(theme.ColorNamePrimary))
			first.TextSize = 16
			cell.Add(container.NewCenter(first))
		}
		row.Add(cell)
	}
	return ch, container.NewVBox(u.para("ui.video.order", sideChars), container.NewCenter(row))
}

// demoBadge labels the synthetic camera's picture so nobody takes it for a real one.
func (u *UI) demoBadge() fyne.CanvasObject {
	t := canvas.NewText(u.T("ui.camera.demo"), color.White)
	t.TextSize = 16
	t.TextStyle.Bold = true
	bg := canvas.NewRectangle(color.NRGBA{R: 0xb0, G: 0x30, B: 0x30, A: 0xd0})
	bg.CornerRadius = 4
	badge := container.NewStack(bg, container.NewPadded(t))
	return container.NewVBox(container.NewHBox(u.layer.Order([]fyne.CanvasObject{badge, layout.NewSpacer()})...))
}

// verdictView lists a capture verdict's outcome and reasons (locale keys).
func (u *UI) verdictView(v sdk.Verdict) fyne.CanvasObject {
	key := "ui.verdict." + v.Outcome.Effective().String()
	box := container.NewVBox(u.heading(u.raw(key)))
	for _, r := range v.Reasons {
		box.Add(u.para(r, sideChars))
	}
	return box
}

func encodeJPEG(img image.Image, q int) (sdk.Image, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		return sdk.Image{}, err
	}
	b := img.Bounds()
	return sdk.Image{Data: buf.Bytes(), Format: "jpeg", Width: b.Dx(), Height: b.Dy()}, nil
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
