package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/domain/kyc"
)

// Tracker is "track my request" (پیگیری درخواست) for the welcome screen: an SMS code proves the
// mobile, then the back office says where the person's newest dossier is (kiosk.Tracker).
type Tracker interface {
	Start(ctx context.Context, mobile string) (string, flow.OTPState, error)
	Verify(ctx context.Context, id, code string) (flow.OTPState, error)
	Lookup(ctx context.Context, id, nationalCode string) (TrackResult, error)
}

// TrackResult is the answer shown: status and next step as locale keys, the day the request
// arrived and the bourse code once issued.
type TrackResult struct {
	Found      bool
	StatusKey  string
	NextKey    string
	ReceivedAt time.Time
	BourseCode string
}

// The stages of a tracking visit.
const (
	trackMobile = iota
	trackCode
	trackNationalCode
	trackResult
)

// trackState is one tracking visit; it ends on the result screen's close key or idling.
type trackState struct {
	stage   int
	id      string
	field   *field
	demo    string // the console SMS provider's code (demo only)
	msg     string // locale key of the last error
	msgArgs []string
	result  TrackResult
	busy    bool
}

// setTrack opens (on) or closes the tracking screens.
func (u *UI) setTrack(on bool) {
	u.mu.Lock()
	if on {
		u.track = &trackState{}
		u.track.field = u.newField("track.mobile", 11, "")
	} else {
		u.track = nil
	}
	u.mu.Unlock()
	u.render(u.opt.Flow.Snapshot())
}

// trackStep runs one tracking call off the UI goroutine, then draws the result.
func (u *UI) trackStep(ts *trackState, call func(ctx context.Context) error) {
	if ts.busy {
		return
	}
	ts.busy = true
	u.busy.Add(1)
	go func() {
		defer u.busy.Done()
		ctx, cancel := context.WithTimeout(u.ctx, 30*time.Second)
		defer cancel()
		err := call(ctx)
		key, args := errorKey(err)
		fyne.DoAndWait(func() {
			ts.busy = false
			ts.msg, ts.msgArgs = key, args
			u.render(u.opt.Flow.Snapshot())
		})
	}()
}

// trackScreen draws the current stage: a keypad entry with its key, or the answer.
func (u *UI) trackScreen(ts *trackState) fyne.CanvasObject {
	box := container.NewVBox(u.heading(u.raw("track.title")))
	var next *widget.Button
	switch ts.stage {
	case trackMobile, trackCode, trackNationalCode:
		intro := map[int]string{trackMobile: "track.intro.mobile", trackCode: "track.intro.code", trackNationalCode: "track.intro.national_code"}[ts.stage]
		box.Add(u.para(intro, 60))
		f := ts.field
		box.Add(f.view())
		if ts.stage == trackCode && ts.demo != "" {
			box.Add(u.label("track.demo_code", "code", u.layer.Digits(ts.demo)))
		}
		box.Add(u.keypad(func() *field { return f }))
		next = widget.NewButton(u.T("track.next"), func() { u.trackNext(ts) })
		next.Importance = widget.HighImportance
	case trackResult:
		r := ts.result
		box.Add(u.title(u.raw(r.StatusKey)))
		if r.Found && !r.ReceivedAt.IsZero() {
			box.Add(u.label("track.received", "date", u.layer.Digits(jalaliDay(r.ReceivedAt))))
		}
		if r.BourseCode != "" {
			box.Add(u.label("track.bourse_code", "code", u.layer.Digits(r.BourseCode)))
		}
		box.Add(u.para(r.NextKey, 60))
	}
	if ts.msg != "" {
		box.Add(u.para(ts.msg, 60, ts.msgArgs...))
	}
	back := u.iconButton(u.T("track.close"), u.backIcon(), func() { u.setTrack(false) })
	back.IconPlacement = u.iconOutside()
	var keys fyne.CanvasObject = u.tall(back)
	if next != nil {
		keys = u.tall(u.layer.Ends(back, next))
	}
	return container.NewBorder(nil, container.NewPadded(keys), nil, nil, container.NewVScroll(container.NewPadded(box)))
}

// trackNext sends what the current stage's field holds.
func (u *UI) trackNext(ts *trackState) {
	value := ts.field.String()
	switch ts.stage {
	case trackMobile:
		if _, _, err := kyc.ParseMobile(value); err != nil {
			ts.msg, ts.msgArgs = errorKey(err)
			u.render(u.opt.Flow.Snapshot())
			return
		}
		u.trackStep(ts, func(ctx context.Context) error {
			id, st, err := u.opt.Tracker.Start(ctx, value)
			if err == nil {
				fyne.DoAndWait(func() {
					ts.id, ts.demo, ts.stage = id, st.DemoCode, trackCode
					ts.field = u.newField("track.code", 6, "")
				})
			}
			return err
		})
	case trackCode:
		u.trackStep(ts, func(ctx context.Context) error {
			_, err := u.opt.Tracker.Verify(ctx, ts.id, value)
			if err == nil {
				fyne.DoAndWait(func() {
					ts.stage = trackNationalCode
					ts.field = u.newField("track.national_code", 10, "")
				})
			}
			return err
		})
	case trackNationalCode:
		u.trackStep(ts, func(ctx context.Context) error {
			res, err := u.opt.Tracker.Lookup(ctx, ts.id, value)
			if err == nil {
				fyne.DoAndWait(func() { ts.result, ts.stage = res, trackResult })
			}
			return err
		})
	}
}
