package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/voice"
)

// Voice speaks the prompts (app/voice/otoplay over a folder of WAVs by locale key).
type Voice interface {
	// Play starts the prompt for key in lang, stopping the one playing; false when nothing is
	// played (no such prompt, no audio device).
	Play(lang, key string) bool
	// Stop silences the prompt playing.
	Stop()
	// Health says whether prompts can be heard, for operator mode ("no audio device" …).
	Health(lang string) (ok bool, detail string)
}

// promptFor is the prompt key spoken when snap's screen opens ("" for screens that have none:
// operator mode, help, contact, tracking).
func (u *UI) promptFor(snap flow.Snapshot) string {
	u.mu.Lock()
	overlay := u.oper != nil || u.help || u.contact || u.track != nil
	u.mu.Unlock()
	if overlay {
		return ""
	}
	return voice.PromptKey(string(snap.Step))
}

// speakScreen says the instruction of the screen just drawn, once per screen and language: a
// redraw of the same screen (an error shown, a rescale) does not repeat it. UI goroutine.
func (u *UI) speakScreen(snap flow.Snapshot) {
	key := u.promptFor(snap)
	id := snap.SessionID + "/" + string(snap.Step) + "/" + u.opt.Lang
	if key == "" {
		u.spoken = ""
		return
	}
	if id == u.spoken {
		return
	}
	u.spoken = id
	u.say(key)
}

// say plays key unless the applicant muted the voice. UI goroutine.
func (u *UI) say(key string) {
	if u.opt.Voice == nil || u.muted || key == "" {
		return
	}
	lang := u.opt.Lang
	go u.opt.Voice.Play(lang, key) // reading a prompt the first time touches the disk
}

// sayNumber speaks the video challenge's number n as it lights up.
func (u *UI) sayNumber(n int) { u.say(voice.NumberKey(n)) }

// muteButton is the speaker key: it silences the voice for this person (the next one starts
// with it on) or turns it back on and repeats the screen's instruction. Hidden without a voice.
func (u *UI) muteButton() fyne.CanvasObject {
	if u.opt.Voice == nil {
		return nil
	}
	// The speaker alone, no word: the toolbar is full (a wider one pushed the English portrait
	// screen past its width), and a speaker reads the same in every language.
	icon := theme.VolumeUpIcon()
	if u.muted {
		icon = theme.VolumeMuteIcon()
	}
	b := widget.NewButtonWithIcon("", icon, func() {
		u.muted = !u.muted
		if u.muted {
			u.opt.Voice.Stop()
		} else {
			u.spoken = ""
		}
		u.render(u.shown)
	})
	b.Importance = widget.LowImportance
	if u.muted {
		b.Importance = widget.MediumImportance
	}
	u.muteKey = b
	return b
}

// voicePanel adds the voice guide's state to operator mode's health column.
func (u *UI) voicePanel(box interface{ Add(fyne.CanvasObject) }) {
	if u.opt.Voice == nil {
		return
	}
	ok, detail := u.opt.Voice.Health(u.opt.Lang)
	key := "operator.voice.ok"
	if !ok {
		key = "operator.voice.down"
	}
	box.Add(u.label(key))
	d := widget.NewLabel(detail)
	d.Wrapping = fyne.TextWrapWord
	box.Add(d)
}
