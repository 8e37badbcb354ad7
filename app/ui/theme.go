package ui

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// kioskTheme is a light theme with the Vazirmatn font and a type scale for a standing person at
// arm's length: body text 22 px and touch targets at least 64 px tall on a 1024×768 screen, every
// size multiplied by scale on a larger one (see scaleFor).
type kioskTheme struct {
	regular, bold fyne.Resource
	scale         float32 // 1 at 1024×768
}

// The type scale at 1024×768, in pixels.
const (
	textSize       = 22 // body text
	subHeadingSize = 26
	headingSize    = 34
	touchHeight    = 64 // the least height of anything a person taps
)

// scaleFor is the factor for a window of size: how much larger than 1024×768 it is in its
// smaller proportion (a 1080×1920 portrait screen is barely wider, a 1920×1080 one is 1.4 times
// taller), never below 1 or above 2, in steps of 0.05 so a few pixels do not redraw everything.
func scaleFor(size fyne.Size) float32 {
	s := min(size.Width/1024, size.Height/768)
	s = float32(int(s*20+0.001)) / 20
	return max(1, min(2, s))
}

// loadTheme reads Vazirmatn from fontDir (fetched by `make ui-fonts`). Without it Persian cannot
// be drawn, so a missing font is an error the caller reports.
func loadTheme(fontDir string) (*kioskTheme, error) {
	read := func(name string) (fyne.Resource, error) {
		p := filepath.Join(fontDir, name)
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read font %s (run make ui-fonts): %w", p, err)
		}
		return fyne.NewStaticResource(name, b), nil
	}
	r, err := read("Vazirmatn-Regular.ttf")
	if err != nil {
		return nil, err
	}
	b, err := read("Vazirmatn-Bold.ttf")
	if err != nil {
		b = r
	}
	return &kioskTheme{regular: r, bold: b, scale: 1}, nil
}

func (t *kioskTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary:
		return color.NRGBA{R: 0x00, G: 0x6d, B: 0x77, A: 0xff}
	case theme.ColorNameBackground:
		return color.NRGBA{R: 0xf7, G: 0xf8, B: 0xfa, A: 0xff}
	case theme.ColorNameError:
		return color.NRGBA{R: 0xc0, G: 0x1c, B: 0x28, A: 0xff}
	case theme.ColorNameSuccess:
		return color.NRGBA{R: 0x1b, G: 0x7f, B: 0x3b, A: 0xff}
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

func (t *kioskTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Bold {
		return t.bold
	}
	return t.regular
}

func (t *kioskTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Size is the type scale times the window's scale. A button is its text line plus four inner
// paddings tall (Fyne 2.7), which makes the 64 px touch height at 22 px text.
func (t *kioskTheme) Size(n fyne.ThemeSizeName) float32 {
	s := t.scale
	if s == 0 {
		s = 1
	}
	switch n {
	case theme.SizeNameText:
		return textSize * s
	case theme.SizeNameHeadingText:
		return headingSize * s
	case theme.SizeNameSubHeadingText:
		return subHeadingSize * s
	case theme.SizeNameCaptionText:
		return textSize * s
	case theme.SizeNamePadding:
		return 6 * s
	case theme.SizeNameInnerPadding:
		return 10 * s
	case theme.SizeNameInlineIcon:
		return 28 * s
	}
	return theme.DefaultTheme().Size(n) * s
}
