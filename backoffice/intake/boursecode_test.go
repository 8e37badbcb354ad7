package intake_test

import (
	"testing"

	"github.com/ehraz/ehraz/backoffice/intake"
)

func TestBourseCodeFormat(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"احم12345", true},
		{"پژگ۱۲۳۴۵", true},                 // Persian letters and digits
		{"علي12345", true},                 // Arabic yeh becomes Persian
		{"كچی12345", true},                 // Arabic kaf becomes Persian
		{"،؛؟12345", false},                // Arabic punctuation is not a letter
		{"ا،ب12345", false},                // one punctuation mark among letters
		{"\u064b\u064c\u064d12345", false}, // diacritics
		{"احم1234", false},
		{"احمد12345", false},
		{"abc12345", false},
		{"", false},
	} {
		if got := intake.BourseCodePattern.MatchString(intake.NormalizeBourseCode(c.in)); got != c.ok {
			t.Errorf("%q: valid=%v, want %v", c.in, got, c.ok)
		}
	}
}
