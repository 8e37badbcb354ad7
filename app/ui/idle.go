package ui

import (
	"context"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/flow"
)

// watchIdle checks once a second: shortly before the idle wipe it shows a warning with a
// countdown and a «continue» button; at the deadline it asks the flow to wipe the session.
func (u *UI) watchIdle() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-u.ctx.Done():
			return
		case <-t.C:
		}
		fyne.Do(func() { u.operatorIdle(u.opt.Now()) })
		snap := u.opt.Flow.Snapshot()
		if !idleApplies(snap) || snap.IdleExpires.IsZero() {
			fyne.Do(u.hideIdle)
			continue
		}
		left := snap.IdleExpires.Sub(u.opt.Now())
		switch {
		case left <= 0:
			ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
			snap, wiped, err := u.opt.Flow.ExpireIfIdle(ctx)
			cancel()
			if err == nil && wiped {
				fyne.Do(func() {
					u.hideIdle()
					u.render(snap)
				})
			}
		case left <= u.opt.IdleWarning:
			fyne.Do(func() { u.showIdle(left) })
		default:
			fyne.Do(u.hideIdle)
		}
	}
}

// idleApplies: only a session in progress can be wiped for idleness.
func idleApplies(s flow.Snapshot) bool { return s.StepIndex > 0 }

func (u *UI) showIdle(left time.Duration) {
	text := u.T("ui.idle.warning", "seconds", itoa(int(left.Seconds()+0.999)))
	u.mu.Lock()
	dlg, msg := u.idleDlg, u.idleMsg
	u.mu.Unlock()
	if dlg != nil {
		msg.SetText(text)
		return
	}
	msg = widget.NewLabelWithStyle(text, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	msg.SizeName = theme.SizeNameSubHeadingText
	cont := widget.NewButton(u.T("ui.idle.continue"), func() {
		u.mu.Lock()
		u.lastTouch = time.Time{}
		u.mu.Unlock()
		u.touch()
		u.hideIdle()
	})
	cont.Importance = widget.HighImportance
	shade := canvas.NewRectangle(color.NRGBA{A: 0xa0})
	card := container.NewStack(canvas.NewRectangle(theme.Color(theme.ColorNameBackground)),
		container.NewPadded(container.NewVBox(msg, container.NewCenter(cont))))
	dlg = container.NewStack(shade, container.NewCenter(card))
	u.mu.Lock()
	u.idleDlg, u.idleMsg = dlg, msg
	u.mu.Unlock()
	u.win.Canvas().Overlays().Add(dlg)
	// Overlays are drawn at their minimum size unless resized: cover the whole window.
	dlg.Resize(u.win.Canvas().Size())
}

func (u *UI) hideIdle() {
	u.mu.Lock()
	dlg := u.idleDlg
	u.idleDlg = nil
	u.mu.Unlock()
	if dlg != nil {
		u.win.Canvas().Overlays().Remove(dlg)
	}
}
