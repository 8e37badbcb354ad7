package ui

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// kioskTheme is a light theme with the Vazirmatn font and touch-sized text and padding.
type kioskTheme struct {
	regular, bold fyne.Resource
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
	return &kioskTheme{regular: r, bold: b}, nil
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

// Size enlarges text and padding for a touch screen read from arm's length.
func (t *kioskTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 18
	case theme.SizeNameHeadingText:
		return 28
	case theme.SizeNameSubHeadingText:
		return 22
	case theme.SizeNamePadding:
		return 6
	case theme.SizeNameInnerPadding:
		return 10
	}
	return theme.DefaultTheme().Size(n)
}
