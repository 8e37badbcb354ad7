// Package rtl is the kiosk's right-to-left layer over Fyne 2.7.1, which shapes Persian correctly
// but lays out mixed-direction lines in typed order and mirrors nothing (fyne-io/fyne#90, #6410).
// Everything that works around those gaps lives here, behind one Layer value, so the workarounds
// can be switched off in one place when Fyne learns bidi.
package rtl

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"golang.org/x/text/unicode/bidi"

	"github.com/ehraz/ehraz/domain/text"
)

// Layer applies (or not) the right-to-left fixes for one language.
type Layer struct {
	// RTL is true for a right-to-left language (Persian).
	RTL bool
	// PersianDigits makes every ASCII digit on screen a Persian one.
	PersianDigits bool
	// Reorder hands Fyne each line in visual order; switch it off once Fyne does bidi itself.
	Reorder bool
}

// For returns the layer for a language code ("fa" → right to left with Persian digits).
func For(lang string) Layer {
	if lang == "fa" {
		return Layer{RTL: true, PersianDigits: true, Reorder: true}
	}
	return Layer{}
}

// Text prepares a string a person sees for a Fyne label or button: Persian digits, then each
// line reordered for display. Never use it for Entry text (Fyne stores what it shows there).
func (l Layer) Text(s string) string {
	if l.PersianDigits {
		s = text.PersianDigits(s)
	}
	if !l.RTL || !l.Reorder {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		lines[i] = Visual(line)
	}
	return strings.Join(lines, "\n")
}

// Digits converts digits only (no reordering): for values shown in entries or on keys.
func (l Layer) Digits(s string) string {
	if l.PersianDigits {
		return text.PersianDigits(s)
	}
	return s
}

// Visual returns one right-to-left line as Fyne 2.7.1 must be given it to draw it as a
// bidi-aware renderer would. Fyne splits a line into direction runs correctly but places the runs
// in typed order from the left, and it decides run boundaries itself with a left-to-right
// paragraph level, which loses the spaces between a Persian run and a number. So the line is
// computed here with a right-to-left paragraph level, its runs are written in visual order (left
// to right), and every run is fenced with LEFT-TO-RIGHT MARKs (invisible, zero width) so Fyne
// cuts exactly there: Persian words keep their internal order (the shaper draws them right to
// left), numbers and Latin stay as they are, and spaces, brackets and punctuation at the edge of a
// Persian run are written out in their visual order and mirrored form.
func Visual(line string) string {
	if line == "" || !hasRTL(line) {
		return line
	}
	var p bidi.Paragraph
	if _, err := p.SetString(line, bidi.DefaultDirection(bidi.RightToLeft)); err != nil {
		return line
	}
	o, err := p.Order()
	if err != nil {
		return line
	}
	if r0 := o.Run(0); o.NumRuns() == 1 && r0.Direction() == bidi.RightToLeft {
		if lead, _, trail := splitNeutralEdges(line); lead == "" && trail == "" {
			return line
		}
	}
	// With a right-to-left paragraph level every left-to-right run sits one level deeper, so the
	// visual order is the logical order of the runs reversed.
	var b strings.Builder
	for i := o.NumRuns() - 1; i >= 0; i-- {
		r := o.Run(i)
		s := r.String()
		if r.Direction() != bidi.RightToLeft {
			b.WriteString(lrm + s + lrm)
			continue
		}
		lead, core, trail := splitNeutralEdges(s)
		b.WriteString(bidi.ReverseString(trail))
		if core != "" {
			b.WriteString(lrm + core + lrm)
		}
		b.WriteString(bidi.ReverseString(lead))
	}
	return b.String()
}

// lrm is U+200E LEFT-TO-RIGHT MARK: a strong left-to-right character with no glyph.
const lrm = "\u200e"

// splitNeutralEdges cuts a right-to-left run into the neutral characters before its first
// right-to-left letter, the core, and the neutral characters after its last one.
func splitNeutralEdges(s string) (lead, core, trail string) {
	rs := []rune(s)
	first, last := -1, -1
	for i, r := range rs {
		if isStrongRTL(r) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return "", "", s
	}
	return string(rs[:first]), string(rs[first : last+1]), string(rs[last+1:])
}

func isStrongRTL(r rune) bool {
	p, _ := bidi.LookupRune(r)
	c := p.Class()
	return c == bidi.R || c == bidi.AL
}

func hasRTL(s string) bool {
	for _, r := range s {
		if (r >= 0x0590 && r <= 0x08FF) || (r >= 0xFB1D && r <= 0xFEFF) {
			if r >= 0x06F0 && r <= 0x06F9 { // Persian digits are numbers, not letters
				continue
			}
			return true
		}
	}
	return false
}

// Align is the alignment of a paragraph's start: right in a right-to-left language.
func (l Layer) Align() fyne.TextAlign {
	if l.RTL {
		return fyne.TextAlignTrailing
	}
	return fyne.TextAlignLeading
}

// Row lays objects out in reading order: the first object on the right in a right-to-left
// language.
func (l Layer) Row(objs ...fyne.CanvasObject) *fyne.Container {
	return container.NewHBox(l.Order(objs)...)
}

// Order returns objs in the on-screen left-to-right order for this language.
func (l Layer) Order(objs []fyne.CanvasObject) []fyne.CanvasObject {
	out := make([]fyne.CanvasObject, len(objs))
	copy(out, objs)
	if l.RTL {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// Start places obj at the start edge of a full-width row (right in Persian).
func (l Layer) Start(obj fyne.CanvasObject) fyne.CanvasObject {
	if l.RTL {
		return container.NewHBox(layout.NewSpacer(), obj)
	}
	return container.NewHBox(obj, layout.NewSpacer())
}

// Ends places start at the reading start and end at the reading end of a full-width row, e.g. Back
// and Next: Back on the right and Next on the left in Persian.
func (l Layer) Ends(start, end fyne.CanvasObject) fyne.CanvasObject {
	if l.RTL {
		return container.NewBorder(nil, nil, end, start)
	}
	return container.NewBorder(nil, nil, start, end)
}
