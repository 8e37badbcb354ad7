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

// Text prepares a string a person sees for a Fyne label or button: Persian digits (not inside an
// Isolate that holds Latin letters), then each line reordered for display. Never use it for Entry
// text (Fyne stores what it shows there).
func (l Layer) Text(s string) string {
	s = l.digits(s)
	if !l.RTL || !l.Reorder {
		return stripIsolates(s)
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		lines[i] = Visual(line)
	}
	return strings.Join(lines, "\n")
}

// Digits converts digits only (no reordering): for values shown in entries or on keys. An
// Isolate that holds Latin letters keeps its digits as they are.
func (l Layer) Digits(s string) string {
	return stripIsolates(l.digits(s))
}

// Isolate marks s as one left-to-right unit inside a sentence: a code a person reads out or
// compares character by character, such as a session code or a masked national code. Visual
// keeps it in one piece and in typed order whatever text surrounds it, and a Layer keeps its
// ASCII digits when it holds a Latin letter («7c1e0a55», never «۷c۱e۰a۵۵»); a code of digits
// alone still gets Persian digits. The marks (U+2066 LEFT-TO-RIGHT ISOLATE … U+2069 POP
// DIRECTIONAL ISOLATE) never reach the screen: Text and Digits remove them.
func Isolate(s string) string { return lri + s + pdi }

const (
	lri = "\u2066"
	pdi = "\u2069"
)

// digits converts digits to Persian when the layer asks for it, except inside an isolate that
// holds a Latin letter; the isolate marks are kept for Visual.
func (l Layer) digits(s string) string {
	if !l.PersianDigits {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, lri)
		if i < 0 {
			b.WriteString(text.PersianDigits(s))
			return b.String()
		}
		b.WriteString(text.PersianDigits(s[:i]))
		rest := s[i+len(lri):]
		j := strings.Index(rest, pdi)
		if j < 0 { // unterminated: the isolate runs to the end
			j = len(rest)
		}
		code := rest[:j]
		if !hasLatinLetter(code) {
			code = text.PersianDigits(code)
		}
		b.WriteString(lri + code)
		if j < len(rest) {
			b.WriteString(pdi)
			j += len(pdi)
		}
		s = rest[j:]
	}
}

func hasLatinLetter(s string) bool {
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return true
		}
	}
	return false
}

// stripIsolates removes the isolate marks: Fyne 2.7.1 would draw them as missing glyphs.
func stripIsolates(s string) string {
	if !strings.ContainsAny(s, lri+pdi) {
		return s
	}
	return strings.NewReplacer(lri, "", pdi, "").Replace(s)
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
		return stripIsolates(line)
	}
	var p bidi.Paragraph
	if _, err := p.SetString(line, bidi.DefaultDirection(bidi.RightToLeft)); err != nil {
		return stripIsolates(line)
	}
	o, err := p.Order()
	if err != nil {
		return stripIsolates(line)
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
		b.WriteString(mirrorReverse(trail))
		if core != "" {
			b.WriteString(lrm + core + lrm)
		}
		b.WriteString(mirrorReverse(lead))
	}
	return stripIsolates(b.String())
}

// mirrorReverse writes neutral characters of a right-to-left run in visual order, each mirrored
// as a bidi renderer would draw it there: Fyne draws them outside the fenced core, in a
// left-to-right context, so it would mirror none. bidi.ReverseString mirrors the paired
// brackets only; the guillemets Persian quotes with are mirrored characters too (Unicode
// BidiMirroring), so a line that begins «عکس … shows » at its right edge, pointing outward.
func mirrorReverse(s string) string {
	rs := []rune(bidi.ReverseString(s))
	for i, r := range rs {
		switch r {
		case '«':
			rs[i] = '»'
		case '»':
			rs[i] = '«'
		case '‹':
			rs[i] = '›'
		case '›':
			rs[i] = '‹'
		}
	}
	return string(rs)
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
	// A combining mark belongs to the letter before it («مرحلهٔ» ends in HAMZA ABOVE, a
	// non-spacing mark): cut after it, or it would be drawn apart from its letter.
	for last+1 < len(rs) && isMark(rs[last+1]) {
		last++
	}
	return string(rs[:first]), string(rs[first : last+1]), string(rs[last+1:])
}

func isMark(r rune) bool {
	p, _ := bidi.LookupRune(r)
	return p.Class() == bidi.NSM
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
