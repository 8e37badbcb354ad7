package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/ui/rtl"
)

// field is an append-only input filled from the on-screen keypad. Fyne's Entry places the caret
// wrongly in Persian and a kiosk has no keyboard, so values are typed with keys and shown in a
// label, digits in Persian; the value itself stays ASCII for the flow.
type field struct {
	key     string // label locale key
	value   []rune
	max     int
	display *widget.Label
	caption *widget.Label
	frame   *canvas.Rectangle // the visible box: the person taps it to choose the field
	layer   rtl.Layer
	active  bool
	mask    bool // a PIN: shown as dots, never as digits
	latin   bool // a code in Latin characters (hexadecimal): its digits shown as typed
	onTap   func(*field)
}

func (f *field) String() string { return string(f.value) }

func (f *field) add(r rune) {
	if f.max > 0 && len(f.value) >= f.max {
		return
	}
	f.value = append(f.value, r)
	f.refresh()
}

func (f *field) backspace() {
	if len(f.value) > 0 {
		f.value = f.value[:len(f.value)-1]
		f.refresh()
	}
}

func (f *field) clear() { f.value = nil; f.refresh() }

func (f *field) refresh() {
	// A value with a Latin letter is a code (a smart card serial «1G23456789»): its digits stay
	// as typed, as printed on the card, never «۱G۲۳…»; digits alone are shown in Persian.
	text := f.layer.Digits(rtl.Isolate(string(f.value)))
	if f.latin {
		text = string(f.value)
	}
	if f.mask {
		text = strings.Repeat("●", len(f.value))
	}
	if text == "" {
		text = " "
	}
	if f.active {
		text += " ▏"
	}
	f.display.SetText(text)
	if f.frame != nil {
		f.frame.StrokeColor, f.frame.StrokeWidth = theme.Color(theme.ColorNameInputBorder), 1
		if f.active {
			f.frame.StrokeColor, f.frame.StrokeWidth = theme.Color(theme.ColorNamePrimary), 3
		}
		f.frame.Refresh()
	}
	if f.active {
		f.display.Importance = widget.HighImportance
	} else {
		f.display.Importance = widget.MediumImportance
	}
	f.display.Refresh()
}

// newField makes a field; digits are always shown left to right (they are numbers).
func (u *UI) newField(key string, max int, initial string) *field {
	f := &field{key: key, max: max, layer: u.layer, value: []rune(initial)}
	f.display = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Monospace: false, Bold: true})
	f.display.SizeName = theme.SizeNameHeadingText
	f.caption = u.label(key)
	f.frame = canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	f.frame.CornerRadius = theme.InputRadiusSize()
	f.refresh()
	return f
}

// view is the field's caption and value box; tapping it makes it the keypad's target.
func (f *field) view() fyne.CanvasObject {
	btn := widget.NewButton("", func() {
		if f.onTap != nil {
			f.onTap(f)
		}
	})
	btn.Importance = widget.LowImportance
	box := container.NewStack(f.frame, btn, container.NewPadded(f.display))
	return container.NewVBox(f.caption, box)
}

// keypad is the on-screen Persian numeric keypad: a phone layout (1 2 3 on top) that is not
// mirrored in Persian, as on Iranian phones; backspace and clear at the bottom corners.
func (u *UI) keypad(target func() *field, extra ...fyne.CanvasObject) fyne.CanvasObject {
	press := func(r rune) func() {
		return func() {
			if f := target(); f != nil {
				f.add(r)
			}
			u.touch()
		}
	}
	keys := make([]fyne.CanvasObject, 0, 12)
	for _, r := range "123456789" {
		b := widget.NewButton(u.layer.Digits(string(r)), press(r))
		keys = append(keys, b)
	}
	back := u.iconButton("", theme.ContentUndoIcon(), func() {
		if f := target(); f != nil {
			f.backspace()
		}
		u.touch()
	})
	zero := widget.NewButton(u.layer.Digits("0"), press('0'))
	clear := widget.NewButton(u.T("ui.keypad.clear"), func() {
		if f := target(); f != nil {
			f.clear()
		}
		u.touch()
	})
	// Backspace sits where the thumb reaches first in the reading direction.
	if u.layer.RTL {
		keys = append(keys, clear, zero, back)
	} else {
		keys = append(keys, back, zero, clear)
	}
	grid := container.NewGridWrap(u.sz(3*110, 4*(touchHeight+6)), container.NewGridWithColumns(3, keys...))
	all := append([]fyne.CanvasObject{grid}, extra...)
	return container.NewCenter(container.NewVBox(all...))
}

// letterPad adds the capital Latin letters a card serial may contain (its second character).
func (u *UI) letterPad(target func() *field) fyne.CanvasObject {
	keys := make([]fyne.CanvasObject, 0, 26)
	for r := 'A'; r <= 'Z'; r++ {
		r := r
		keys = append(keys, widget.NewButton(string(r), func() {
			if f := target(); f != nil {
				f.add(r)
			}
			u.touch()
		}))
	}
	// Centred under the field, so on a portrait kiosk the letters and the keypad below them
	// line up as one block.
	return container.NewCenter(container.NewGridWrap(u.sz(9*52, 3*(touchHeight+6)), container.NewGridWithColumns(9, keys...)))
}
