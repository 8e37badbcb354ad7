package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/flow"
)

// The type scale and touch targets as rendered: at 1024×768 and on the two common kiosk screens
// (1080×1920 portrait, 1920×1080 landscape), every screen's text is at least the body size and
// every button at least the touch height, both times the window's scale, and no screen needs
// more room than the window has.
func TestRenderedSizes(t *testing.T) {
	for _, win := range []struct {
		w, h  float32
		scale float32
	}{{1024, 768, 1}, {1080, 1920, 1.05}, {1920, 1080, 1.4}} {
		for _, lang := range []string{"fa", "en"} {
			t.Run(fmt.Sprintf("%s-%.0fx%.0f", lang, win.w, win.h), func(t *testing.T) {
				// No camera: its frames would redraw the preview while the theme changes.
				h := newHarnessWith(t, lang, func(o *Options) { o.Camera, o.Analyzer = nil, nil })
				if h.u.theme == nil {
					t.Fatal("could not verify: the kiosk theme did not load (run make ui-fonts)")
				}
				fyne.DoAndWait(func() { h.u.win.Resize(fyne.NewSize(win.w, win.h)) })
				if got := h.u.theme.scale; got != win.scale {
					t.Fatalf("theme scale %.2f, want %.2f", got, win.scale)
				}
				for _, sc := range sizeScreens(h) {
					// The test canvas grows to fit a screen too large for it: start each screen
					// from the window's size.
					fyne.DoAndWait(func() { h.u.win.Resize(fyne.NewSize(win.w, win.h)) })
					fyne.DoAndWait(sc.show)
					fyne.DoAndWait(func() { checkSizes(t, h, sc.name, win.scale, fyne.NewSize(win.w, win.h)) })
					fyne.DoAndWait(func() {
						h.u.hideConfirm()
						h.u.mu.Lock()
						h.u.help, h.u.contact, h.u.oper = false, false, nil
						h.u.mu.Unlock()
					})
				}
			})
		}
	}
}

type sizeScreen struct {
	name string
	show func()
}

func sizeScreens(h *harness) []sizeScreen {
	step := func(s flow.Step, outcome string) func() {
		return func() {
			h.flow.mu.Lock()
			h.flow.set(s)
			h.flow.snap.Outcome = outcome
			h.flow.mu.Unlock()
			h.u.render(h.flow.Snapshot())
		}
	}
	out := []sizeScreen{{"welcome", step(flow.StepWelcome, "")}}
	for _, s := range flow.Steps {
		out = append(out, sizeScreen{string(s), step(s, "")})
	}
	out = append(out,
		sizeScreen{"submitted", step(flow.StepSubmitted, "")},
		sizeScreen{"expired", step(flow.StepExpired, "flow.outcome.expired")},
		sizeScreen{"locked", step(flow.StepLocked, "flow.outcome.locked_video")},
		sizeScreen{"rejected", step(flow.StepRejected, "eligibility.under_18")},
		sizeScreen{"help", func() { step(flow.StepMobile, "")(); h.u.setHelp(true) }},
		sizeScreen{"contact", func() { step(flow.StepMobile, "")(); h.u.setContact(true) }},
		sizeScreen{"cancel-question", func() { step(flow.StepIdentity, "")(); h.u.confirmCancel() }},
		sizeScreen{"operator-pin", func() { step(flow.StepWelcome, "")(); h.u.showOperatorLogin() }},
	)
	return out
}

func checkSizes(t *testing.T, h *harness, screen string, scale float32, window fyne.Size) {
	t.Helper()
	c := h.u.win.Canvas()
	roots := []fyne.CanvasObject{c.Content()}
	if top := c.Overlays().Top(); top != nil {
		roots = append(roots, top)
	}
	// Nothing drawn outside the window (the test canvas would grow to fit, so compare every
	// object's laid-out box with the window asked for; a scroll's content may run past it).
	for _, root := range roots {
		if out := outside(root, fyne.NewPos(0, 0), window); out != "" {
			t.Errorf("%s: %s lies outside the %.0f×%.0f window", screen, out, window.Width, window.Height)
		}
	}
	minText, minButton := textSize*scale-0.01, touchHeight*scale-0.5
	texts, buttons := 0, 0
	for _, root := range roots {
		for _, o := range test.LaidOutObjects(root) {
			if !o.Visible() {
				continue
			}
			switch w := o.(type) {
			case *canvas.Text:
				if strings.TrimSpace(strings.Trim(w.Text, "\u200e▏")) == "" {
					continue
				}
				texts++
				if w.TextSize < minText {
					t.Errorf("%s: text %q is %.1f px, want ≥ %.1f", screen, w.Text, w.TextSize, minText)
				}
			case *widget.Button:
				buttons++
				if w.Size().Height < minButton {
					t.Errorf("%s: button %q is %.1f px tall, want ≥ %.1f", screen, w.Text, w.Size().Height, minButton)
				}
			}
		}
	}
	if texts == 0 || buttons == 0 {
		t.Errorf("%s: measured %d texts and %d buttons: the walk found nothing", screen, texts, buttons)
	}
}

// Every step has its picture on the welcome strip (a missing SVG would leave an empty box).
func TestEveryStepHasAPicture(t *testing.T) {
	h := newHarness(t, "fa")
	for _, s := range flow.Steps {
		if _, ok := h.u.picture("steps", string(s)).(*canvas.Image); !ok {
			t.Errorf("step %s has no picture", s)
		}
	}
	for _, g := range []string{"pose", "sheet", "fingers"} {
		if _, ok := h.u.picture("guide", g).(*canvas.Image); !ok {
			t.Errorf("guide %s has no picture", g)
		}
	}
	images := 0
	walk(h.u.win.Canvas().Content(), func(o fyne.CanvasObject) {
		if _, ok := o.(*canvas.Image); ok {
			images++
		}
	})
	if images < len(flow.Steps) {
		t.Errorf("the welcome screen shows %d pictures, want the %d steps", images, len(flow.Steps))
	}
}

// outside describes the first visible object under o (at the absolute position at) whose box
// runs past the window, or "".
func outside(o fyne.CanvasObject, at fyne.Position, window fyne.Size) string {
	if !o.Visible() {
		return ""
	}
	p := at.Add(o.Position())
	s := o.Size()
	if p.X < -2 || p.Y < -2 || p.X+s.Width > window.Width+2 || p.Y+s.Height > window.Height+2 {
		desc := fmt.Sprintf("%T at %.0f,%.0f size %.0f×%.0f", o, p.X, p.Y, s.Width, s.Height)
		switch w := o.(type) {
		case *widget.Label:
			desc += fmt.Sprintf(" %q", w.Text)
		case *widget.Button:
			desc += fmt.Sprintf(" %q", w.Text)
		case *canvas.Text:
			desc += fmt.Sprintf(" %q", w.Text)
		}
		return desc
	}
	var kids []fyne.CanvasObject
	switch w := o.(type) {
	case *container.Scroll:
		return ""
	case *fyne.Container:
		kids = w.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(w).Objects()
	}
	for _, k := range kids {
		if d := outside(k, p, window); d != "" {
			return d
		}
	}
	return ""
}
