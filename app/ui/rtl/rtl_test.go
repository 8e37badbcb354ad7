package rtl

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func TestVisual(t *testing.T) {
	const m = "\u200e"
	tests := []struct {
		name, in, want string
	}{
		{"persian only", "قوانین را می‌پذیرم", "قوانین را می‌پذیرم"},
		{"latin only", "Step 3 of 10", "Step 3 of 10"},
		{"step counter", "مرحله ۳ از ۱۰", m + "۱۰" + m + " " + m + "از" + m + " " + m + "۳" + m + " " + m + "مرحله" + m},
		{"final period on the left", "کد را وارد کنید.", "." + m + "کد را وارد کنید" + m},
		{"parentheses mirrored", "(مرحله ۳)", "(" + m + "۳" + m + " " + m + "مرحله" + m + ")"},
		{"latin word", "کد SEJAM", m + "SEJAM" + m + " " + m + "کد" + m},
		// A line wrapped inside a quotation: the guillemet at a line's edge lies outside the
		// fenced core, where Fyne mirrors nothing, so it is written mirrored here.
		{"opening quote starts the line", "«عکس چهره» ادامه دهید.", "." + m + "عکس چهره» ادامه دهید" + m + "»"},
		{"closing quote starts the line", "»: فاصله ۰٫۵", m + "۰٫۵" + m + " " + m + "فاصله" + m + " :«"},
		{"quote ends the line", "از مرحلهٔ «", "» " + m + "از مرحلهٔ" + m},
		{"combining mark stays with its letter", "مرحلهٔ ۳", m + "۳" + m + " " + m + "مرحلهٔ" + m},
		{"quoted phrase alone", "«عکس چهره»", "«" + m + "عکس چهره" + m + "»"},
		{"isolated session code", "جلسهٔ " + Isolate("7c1e0a55") + " — قفل",
			m + "قفل" + m + " — " + m + "7c1e0a55" + m + " " + m + "جلسهٔ" + m},
		{"isolate keeps a code with spaces in one piece", "کد " + Isolate("12 AB") + " است",
			m + "است" + m + " " + m + "12 AB" + m + " " + m + "کد" + m},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Visual(tc.in); got != tc.want {
				t.Errorf("Visual(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDigits(t *testing.T) {
	fa, en := For("fa"), For("en")
	if got := fa.Digits("09121234567 ٣"); got != "۰۹۱۲۱۲۳۴۵۶۷ ۳" {
		t.Errorf("fa Digits: %q", got)
	}
	if got := en.Digits("0912 3"); got != "0912 3" {
		t.Errorf("en Digits changed the text: %q", got)
	}
	if got := en.Text("Step 3"); got != "Step 3" {
		t.Errorf("en Text changed the text: %q", got)
	}
	if got := fa.Text("a\nb 1"); got != "a\nb ۱" {
		t.Errorf("fa Text per line: %q", got)
	}
}

// An isolated code with a Latin letter keeps its ASCII digits in Persian; one of digits alone
// gets Persian digits like any number; the isolate marks never reach the screen.
func TestIsolate(t *testing.T) {
	fa, en := For("fa"), For("en")
	const m = "\u200e"
	tests := []struct {
		name string
		l    Layer
		f    func(Layer, string) string
		in   string
		want string
	}{
		{"fa text, hex code", fa, Layer.Text, "جلسهٔ " + Isolate("7c1e0a55") + " ۲",
			m + "۲" + m + " " + m + "7c1e0a55" + m + " " + m + "جلسهٔ" + m},
		{"fa text, masked national code", fa, Layer.Text, "کد " + Isolate("007******5"),
			m + "۰۰۷******۵" + m + " " + m + "کد" + m},
		{"fa digits, hex code", fa, Layer.Digits, "1 " + Isolate("3fa81c0e") + " 2", "۱ 3fa81c0e ۲"},
		{"fa digits, unterminated isolate", fa, Layer.Digits, "1 \u2066ab1", "۱ ab1"},
		{"en text", en, Layer.Text, "Session " + Isolate("7c1e0a55") + " 2", "Session 7c1e0a55 2"},
		{"en digits", en, Layer.Digits, Isolate("12"), "12"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f(tc.l, tc.in); got != tc.want {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestOrderAndAlign(t *testing.T) {
	a, b := canvas.NewRectangle(nil), canvas.NewRectangle(nil)
	if got := For("fa").Order([]fyne.CanvasObject{a, b}); got[0] != b {
		t.Error("Persian row must put the first object on the right")
	}
	if got := For("en").Order([]fyne.CanvasObject{a, b}); got[0] != a {
		t.Error("English row must keep reading order")
	}
	if For("fa").Align() != fyne.TextAlignTrailing || For("en").Align() != fyne.TextAlignLeading {
		t.Error("alignment")
	}
}

// TestSpaceKeptOnScreen renders through Fyne's real text painter: without the reordering Fyne
// drops the space between «مرحله» and «۱۰», so the visual line is narrower by a space's width.
func TestSpaceKeptOnScreen(t *testing.T) {
	font := filepath.Join("..", "..", "..", "assets", "fonts", "Vazirmatn-Regular.ttf")
	b, err := os.ReadFile(font)
	if err != nil {
		t.Skipf("Vazirmatn not fetched (run make ui-fonts): %v", err)
	}
	a := test.NewTempApp(t)
	a.Settings().SetTheme(fontTheme{theme.DefaultTheme(), fyne.NewStaticResource("v.ttf", b)})
	word := inkWidth(render(t, "مرحله"))
	num := inkWidth(render(t, "۱۰"))
	space := inkWidth(render(t, "A B")) - inkWidth(render(t, "AB"))
	got := inkWidth(render(t, Visual("مرحله ۱۰")))
	if got < word+num+space-3 {
		t.Errorf("visual line is %dpx wide; word %d + number %d + space %d: the space was lost", got, word, num, space)
	}
	// Fyne's own layout loses the space between the runs (it draws it at the far left instead).
	if raw := inkWidth(render(t, "مرحله ۱۰")); raw >= got {
		t.Logf("Fyne now keeps the space itself (raw %dpx >= %dpx): the reordering may be switchable off", raw, got)
	}
}

type fontTheme struct {
	fyne.Theme
	font fyne.Resource
}

func (f fontTheme) Font(fyne.TextStyle) fyne.Resource { return f.font }

func (f fontTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return f.Theme.Color(n, theme.VariantLight)
}

func render(t *testing.T, s string) image.Image {
	tx := canvas.NewText(s, theme.Color(theme.ColorNameForeground))
	tx.TextSize = 40
	w := test.NewTempWindow(t, container.NewWithoutLayout(tx))
	tx.Move(fyne.NewPos(10, 0))
	tx.Resize(fyne.NewSize(700, 60))
	w.Resize(fyne.NewSize(720, 70))
	return w.Canvas().Capture()
}

func inkSpan(img image.Image) (x0, x1 int) {
	bd := img.Bounds()
	x0, x1 = bd.Max.X, -1
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r+g+b < 3*0x8000 {
				x0, x1 = min(x0, x), max(x1, x)
			}
		}
	}
	return x0, x1
}

func inkWidth(img image.Image) int { x0, x1 := inkSpan(img); return x1 - x0 }
