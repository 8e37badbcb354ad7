package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/ui/rtl"
	"github.com/ehraz/ehraz/assets"
	"github.com/ehraz/ehraz/locales"
)

// Contact is the brokerage's contact details in one language, for the contact screen.
type Contact struct {
	Name, Address, Phone, Hours string
}

// toolbar is the row of applicant keys every step carries: help, contact, the other language and,
// while a session is under way, cancel.
func (u *UI) toolbar(cancel bool) fyne.CanvasObject {
	keys := []fyne.CanvasObject{
		u.iconButton(u.T("ui.help.button"), theme.HelpIcon(), func() { u.setHelp(true) }),
		u.iconButton(u.T("ui.contact.button"), theme.AccountIcon(), func() { u.setContact(true) }),
		u.languageButton(),
	}
	if m := u.muteButton(); m != nil {
		keys = append(keys, m)
	}
	if cancel {
		c := u.iconButton(u.T("ui.cancel.button"), theme.CancelIcon(), u.confirmCancel)
		c.Importance = widget.DangerImportance
		keys = append(keys, c)
	}
	for i, k := range keys {
		keys[i] = u.tall(k)
	}
	return u.layer.Row(keys...)
}

// otherLanguage is the language the switch offers: the next one in locales.Languages.
func (u *UI) otherLanguage() string {
	for i, l := range locales.Languages {
		if l == u.opt.Lang {
			return locales.Languages[(i+1)%len(locales.Languages)]
		}
	}
	return locales.Default
}

// languageButton names the other language in that language («English», «فارسی»), so a person
// who cannot read the current one still finds it.
func (u *UI) languageButton() *widget.Button {
	other := u.otherLanguage()
	name := rtl.For(other).Text(u.opt.Catalog.T(other, "ui.language.name"))
	return u.iconButton(name, theme.ViewRefreshIcon(), func() { u.setLanguage(other) })
}

// setLanguage redraws the kiosk in lang. The choice lasts until the session ends: the next person
// starts in the configured language (see resetLanguage).
func (u *UI) setLanguage(lang string) {
	u.opt.Lang = lang
	u.layer = rtl.For(lang)
	u.win.SetTitle(u.T("app.name"))
	u.hideConfirm()
	u.render(u.opt.Flow.Snapshot())
}

// resetLanguage returns to the configured language for the next person.
func (u *UI) resetLanguage() {
	u.muted = false // the next person hears the voice again
	if u.opt.Lang != u.home {
		u.opt.Lang = u.home
		u.layer = rtl.For(u.home)
		u.win.SetTitle(u.T("app.name"))
	}
}

func (u *UI) setContact(on bool) {
	u.mu.Lock()
	u.contact = on
	u.mu.Unlock()
	u.render(u.opt.Flow.Snapshot())
}

// contactScreen shows who runs the kiosk and how to reach them ([brokerage] in the configuration).
func (u *UI) contactScreen() fyne.CanvasObject {
	// A detail missing in this language is shown in the default language's form.
	c, def := u.opt.Contacts[u.opt.Lang], u.opt.Contacts[locales.Default]
	for _, f := range []struct {
		v *string
		d string
	}{{&c.Name, def.Name}, {&c.Address, def.Address}, {&c.Phone, def.Phone}, {&c.Hours, def.Hours}} {
		if *f.v == "" {
			*f.v = f.d
		}
	}
	box := container.NewVBox(u.heading(u.raw("ui.contact.title")))
	if c.Name == "" {
		box.Add(u.label("ui.contact.none"))
	} else {
		box.Add(u.title(c.Name))
		for _, row := range []struct {
			key, value string
			icon       fyne.Resource
		}{
			{"ui.contact.address", c.Address, theme.HomeIcon()},
			{"ui.contact.phone", c.Phone, theme.MailComposeIcon()},
			{"ui.contact.hours", c.Hours, theme.HistoryIcon()},
		} {
			if row.value == "" {
				continue
			}
			k := widget.NewLabelWithStyle(u.T(row.key), u.layer.Align(), fyne.TextStyle{Bold: true})
			v := widget.NewLabelWithStyle(u.layer.Text(row.value), u.layer.Align(), fyne.TextStyle{})
			v.Wrapping = fyne.TextWrapOff
			icon := container.NewGridWrap(u.sz(32, 32), widget.NewIcon(row.icon))
			box.Add(u.layer.Start(u.layer.Row(icon, k, v)))
		}
	}
	box.Add(u.para("ui.contact.operator", 60))
	back := u.iconButton(u.T("ui.help.close"), u.backIcon(), func() { u.setContact(false) })
	back.IconPlacement = u.iconOutside()
	back.Importance = widget.HighImportance
	return container.NewBorder(nil, container.NewPadded(u.tall(u.layer.Ends(back, u.languageButton()))), nil, nil,
		container.NewPadded(box))
}

// title is a large bold line.
func (u *UI) title(text string) *widget.Label {
	l := widget.NewLabelWithStyle(u.layer.Text(text), u.layer.Align(), fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameHeadingText
	return l
}

// confirmCancel asks before the session is cancelled and its data wiped.
func (u *UI) confirmCancel() {
	msg := widget.NewLabelWithStyle(u.T("ui.cancel.question"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	msg.SizeName = theme.SizeNameSubHeadingText
	body := u.para("ui.cancel.explain", 50)
	yes := widget.NewButton(u.T("ui.cancel.yes"), func() {
		u.hideConfirm()
		u.act(u.opt.Flow.Abandon)
	})
	yes.Importance = widget.DangerImportance
	no := widget.NewButton(u.T("ui.cancel.no"), u.hideConfirm)
	no.Importance = widget.HighImportance
	row := u.tall(container.NewGridWithColumns(2, u.layer.Order([]fyne.CanvasObject{no, yes})...))
	u.showDialog(container.NewVBox(msg, body, row))
}

// showDialog puts content on a card over a dimmed window (one at a time).
func (u *UI) showDialog(content fyne.CanvasObject) {
	u.hideConfirm()
	shade := canvas.NewRectangle(color.NRGBA{A: 0xa0})
	card := container.NewStack(canvas.NewRectangle(theme.Color(theme.ColorNameBackground)),
		container.NewPadded(container.NewPadded(content)))
	dlg := container.NewStack(shade, container.NewCenter(card))
	u.mu.Lock()
	u.confirmDlg = dlg
	u.mu.Unlock()
	u.win.Canvas().Overlays().Add(dlg)
	dlg.Resize(u.win.Canvas().Size())
}

func (u *UI) hideConfirm() {
	u.mu.Lock()
	dlg := u.confirmDlg
	u.confirmDlg = nil
	u.mu.Unlock()
	if dlg != nil {
		u.win.Canvas().Overlays().Remove(dlg)
	}
}

// tall gives obj at least the touch height (a Fyne button is its text line plus two inner
// paddings, less than a finger needs at body size).
func (u *UI) tall(obj fyne.CanvasObject) fyne.CanvasObject {
	return container.New(&tallLayout{h: u.px(touchHeight)}, obj)
}

// tallLayout fills its area with its objects and asks for at least h of height.
type tallLayout struct{ h float32 }

func (l *tallLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *tallLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := fyne.NewSize(0, l.h)
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

// picture is one of the kiosk's drawings (assets/<dir>/<name>.svg), scaled to its box; an absent
// one leaves the box empty.
func (u *UI) picture(dir, name string) fyne.CanvasObject {
	var b []byte
	var ok bool
	if dir == "steps" {
		b, ok = assets.Step(name)
	} else {
		b, ok = assets.Guide(name)
	}
	if !ok {
		return canvas.NewRectangle(color.Transparent)
	}
	img := canvas.NewImageFromResource(fyne.NewStaticResource(dir+"-"+name+".svg", b))
	img.FillMode = canvas.ImageFillContain
	return img
}

// portrait reports whether the window is taller than wide (a 1080×1920 kiosk).
func (u *UI) portrait() bool {
	s := u.win.Canvas().Size()
	return s.Height > s.Width
}
