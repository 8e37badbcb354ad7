package ui

import (
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// textField is free text typed on the on-screen keyboard (an operator's reason), shown in a label
// the way the keypad's fields are: Fyne's Entry misplaces the caret in Persian, and the kiosk has
// no physical keyboard.
type textField struct {
	u       *UI
	value   []rune
	max     int
	display *widget.Label
}

func (u *UI) newTextField(max int) *textField {
	f := &textField{u: u, max: max}
	f.display = widget.NewLabelWithStyle("", u.layer.Align(), fyne.TextStyle{})
	f.refresh()
	return f
}

func (f *textField) add(r rune) {
	if f.max > 0 && len(f.value) >= f.max {
		return
	}
	f.value = append(f.value, r)
	f.refresh()
}

func (f *textField) backspace() {
	if len(f.value) > 0 {
		f.value = f.value[:len(f.value)-1]
		f.refresh()
	}
}

// refresh shows the text wrapped and reordered line by line, the caret at the end of the last.
func (f *textField) refresh() {
	lines := f.u.wrapped(string(f.value)+" ▏", 60)
	text := ""
	for i, l := range lines {
		if i > 0 {
			text += "\n"
		}
		text += l
	}
	f.display.SetText(text)
}

func (f *textField) view() fyne.CanvasObject {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.StrokeColor, bg.StrokeWidth = theme.Color(theme.ColorNamePrimary), 2
	bg.CornerRadius = theme.InputRadiusSize()
	return container.NewStack(bg, container.NewPadded(f.display))
}

// keyboardRows are the on-screen keyboard's letters: the Iranian standard layout (ISIRI 9147)
// in Persian, QWERTY in English; the last row adds the language's own marks.
var keyboardRows = map[string][]string{
	"fa": {"ضصثقفغعهخحجچ", "شسیبلاتنمکگ", "ظطزرذدپوژ،.", "۱۲۳۴۵۶۷۸۹۰"},
	"en": {"qwertyuiop", "asdfghjkl", "zxcvbnm,.", "1234567890"},
}

// keyboard is the on-screen keyboard for f: the letter rows, then space, the zero-width
// non-joiner (نیم‌فاصله, Persian only) and backspace.
func (u *UI) keyboard(f *textField) fyne.CanvasObject {
	rows := keyboardRows[u.opt.Lang]
	if rows == nil {
		rows = keyboardRows["en"]
	}
	key := func(label string, r rune) fyne.CanvasObject {
		return widget.NewButton(label, func() { f.add(r); u.operatorActive() })
	}
	cols := 0
	for _, row := range rows {
		cols = max(cols, utf8.RuneCountInString(row))
	}
	box := container.NewVBox()
	for _, row := range rows {
		keys := []fyne.CanvasObject{}
		for _, r := range row {
			keys = append(keys, key(string(r), r))
		}
		// Each row is in its physical order, left to right, as on a printed keyboard (ض sits where
		// Q does), in Persian too.
		box.Add(container.NewGridWrap(u.sz(float32(cols)*68, touchHeight), container.NewGridWithColumns(cols, keys...)))
	}
	back := u.iconButton(u.T("ui.keyboard.backspace"), theme.ContentUndoIcon(), func() { f.backspace(); u.operatorActive() })
	last := []fyne.CanvasObject{key(u.T("ui.keyboard.space"), ' ')}
	if u.layer.RTL {
		last = append(last, key(u.T("ui.keyboard.zwnj"), '\u200c'))
	}
	last = append(last, back)
	box.Add(container.NewGridWrap(u.sz(float32(cols)*68, touchHeight), container.NewGridWithColumns(len(last), u.layer.Order(last)...)))
	return box
}
