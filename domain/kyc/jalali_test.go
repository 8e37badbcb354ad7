package kyc

import (
	"testing"
	"time"

	jalaali "github.com/jalaali/go-jalaali"
)

func TestParseJalali(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     Date
		key      string
	}{
		{"ascii", "1370/05/12", Date{1370, 5, 12}, ""},
		{"persian digits", "۱۳۷۰/۰۵/۱۲", Date{1370, 5, 12}, ""},
		{"arabic-indic", "١٣٧٠/٠٥/١٢", Date{1370, 5, 12}, ""},
		{"dashes", "1370-5-2", Date{1370, 5, 2}, ""},
		{"unicode hyphens", "1370\u20105\u201012", Date{1370, 5, 12}, ""},
		{"en dashes persian digits", "۱۳۷۰\u2013۰۵\u2013۱۲", Date{1370, 5, 12}, ""},
		{"minus signs", "1370\u221205\u221212", Date{1370, 5, 12}, ""},
		{"spaced slashes", "1370 / 05 / 12", Date{1370, 5, 12}, ""},
		{"hyphens joined", "13700512", Date{}, "kyc.birth_date.format"},
		{"non-breaking hyphens", "1370\u201105\u201112", Date{1370, 5, 12}, ""},
		{"hyphens arabic-indic digits", "١٣٧٠\u2010٠٥\u2010١٢", Date{1370, 5, 12}, ""},
		{"fullwidth hyphen-minus", "۱۳۷۰\uff0d۵\uff0d۱۲", Date{1370, 5, 12}, ""},
		{"mixed separators", "1370/05\u201312", Date{1370, 5, 12}, ""},
		{"rtl marks", "\u200f۱۳۷۰/۰۵/۱۲\u200f", Date{1370, 5, 12}, ""},
		{"double dash", "1370\u2013\u201305\u201312", Date{}, "kyc.birth_date.format"},
		{"trailing dash", "1370\u201005\u201012\u2010", Date{}, "kyc.birth_date.format"},
		{"day first", "12\u201005\u20101370", Date{}, "kyc.birth_date.format"},
		{"dots", "1370.05.12", Date{}, "kyc.birth_date.format"},
		{"underscores", "1370_05_12", Date{}, "kyc.birth_date.format"},
		{"esfand 30 leap", "1399/12/30", Date{1399, 12, 30}, ""},
		{"esfand 30 common", "1400/12/30", Date{}, "kyc.birth_date.not_a_day"},
		{"mehr 31", "1370/07/31", Date{}, "kyc.birth_date.not_a_day"},
		{"month 13", "1370/13/01", Date{}, "kyc.birth_date.not_a_day"},
		{"day 0", "1370/01/00", Date{}, "kyc.birth_date.not_a_day"},
		{"ancient", "1100/01/01", Date{}, "kyc.birth_date.not_a_day"},
		{"two parts", "1370/05", Date{}, "kyc.birth_date.format"},
		{"short year", "70/05/12", Date{}, "kyc.birth_date.format"},
		{"letters", "1370/0a/12", Date{}, "kyc.birth_date.format"},
		{"empty", "", Date{}, "kyc.birth_date.format"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseJalali(c.in)
			wantKey(t, err, c.key)
			if got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	if s := (Date{1370, 5, 2}).String(); s != "1370/05/02" {
		t.Errorf("String() = %q", s)
	}
}

// tehranNoon returns noon in Tehran on the given Jalali day.
func tehranNoon(t *testing.T, y, m, d int) time.Time {
	t.Helper()
	gy, gm, gd, err := jalaali.ToGregorian(y, jalaali.Month(m), d)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(gy, gm, gd, 12, 0, 0, 0, loc)
}

func TestAgeOn(t *testing.T) {
	for _, c := range []struct {
		name    string
		birth   Date
		today   Date
		want    int
		wantKey string
	}{
		{"18th birthday today", Date{1385, 6, 15}, Date{1403, 6, 15}, 18, ""},
		{"day before 18th birthday", Date{1385, 6, 15}, Date{1403, 6, 14}, 17, ""},
		{"day after", Date{1385, 6, 15}, Date{1403, 6, 16}, 18, ""},
		{"earlier month", Date{1385, 6, 15}, Date{1403, 5, 31}, 17, ""},
		{"born today", Date{1403, 6, 15}, Date{1403, 6, 15}, 0, ""},
		{"future", Date{1403, 6, 16}, Date{1403, 6, 15}, 0, "kyc.birth_date.future"},
		// 1399 is a leap year (30 Esfand exists); 1417 is common, 1416 is leap... use the library.
		{"esfand 30: 29 Esfand of a common year", Date{1399, 12, 30}, Date{1400, 12, 29}, 0, ""},
		{"esfand 30: 1 Farvardin after a common year", Date{1399, 12, 30}, Date{1401, 1, 1}, 1, ""},
		{"esfand 30: 30 Esfand of a leap year", Date{1399, 12, 30}, Date{1403, 12, 30}, 4, ""},
		{"esfand 30: 29 Esfand of a leap year", Date{1399, 12, 30}, Date{1403, 12, 29}, 3, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := AgeOn(c.birth, tehranNoon(t, c.today.Year, c.today.Month, c.today.Day))
			wantKey(t, err, c.wantKey)
			if got != c.want {
				t.Errorf("age %d, want %d", got, c.want)
			}
		})
	}
}

func TestAgeUsesTehranDay(t *testing.T) {
	// 23:00 UTC is already the next day in Tehran (UTC+3:30).
	utc := time.Date(2024, 9, 4, 23, 0, 0, 0, time.UTC) // Tehran: 1403/06/15 02:30
	got, err := AgeOn(Date{1385, 6, 15}, utc)
	if err != nil || got != 18 {
		t.Fatalf("age %d, %v; want 18 (the birthday has begun in Tehran)", got, err)
	}
}
