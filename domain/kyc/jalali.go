package kyc

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Tehran must resolve on machines without a zoneinfo database

	"github.com/ehraz/ehraz/domain/text"
	jalaali "github.com/jalaali/go-jalaali"
)

// Date is a day of the Jalali (Solar Hijri) calendar.
type Date struct {
	Year, Month, Day int
}

// String writes the date as "YYYY/MM/DD" with ASCII digits (the form SEJAM and the registry use).
func (d Date) String() string { return fmt.Sprintf("%04d/%02d/%02d", d.Year, d.Month, d.Day) }

// ParseJalali parses "YYYY/MM/DD" (also with any dash as separator, one- or two-digit month and day,
// any digit script) and rejects days the calendar does not have (31 Mehr, 30 Esfand of a common
// year). Years outside 1200–1600 are rejected as implausible for a living person.
func ParseJalali(raw string) (Date, error) {
	s := compactDate(raw)
	parts := strings.Split(s, "/")
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) < 1 || len(parts[1]) > 2 ||
		len(parts[2]) < 1 || len(parts[2]) > 2 {
		return Date{}, reject("kyc.birth_date.format")
	}
	var n [3]int
	for i, p := range parts {
		if !allDigits(p) {
			return Date{}, reject("kyc.birth_date.format")
		}
		n[i], _ = strconv.Atoi(p) // at most 4 ASCII digits: cannot fail
	}
	d := Date{n[0], n[1], n[2]}
	if d.Year < 1200 || d.Year > 1600 || !jalaali.IsValidDate(d.Year, d.Month, d.Day) {
		return Date{}, reject("kyc.birth_date.not_a_day")
	}
	return d, nil
}

// compactDate is Compact, but every dash (text.IsDash: the hyphen-minus, Unicode hyphens, en
// dashes, the minus sign …) separates the parts like a slash instead of being deleted, which
// would join the digits.
func compactDate(s string) string {
	return text.Compact(strings.Map(func(r rune) rune {
		if text.IsDash(r) {
			return '/'
		}
		return r
	}, s))
}

// Today returns the Jalali date of the day now falls on in Tehran.
func Today(now time.Time) (Date, error) {
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		return Date{}, fmt.Errorf("load Tehran time zone: %w", err)
	}
	t := now.In(loc)
	y, m, d, err := jalaali.ToJalaali(t.Year(), t.Month(), t.Day())
	if err != nil {
		return Date{}, fmt.Errorf("convert %s to Jalali: %w", t.Format(time.DateOnly), err)
	}
	return Date{y, int(m), d}, nil
}

// AgeOn returns the age in whole years on the Jalali calendar on the day now falls on in
// Tehran. A person whose birthday is today has reached the new age (an 18th birthday today is
// 18). Someone born on 30 Esfand of a leap year has their birthday on 30 Esfand in leap years
// and on 1 Farvardin (the day after 29 Esfand) in common years. A birth date after today is
// rejected with "kyc.birth_date.future".
func AgeOn(birth Date, now time.Time) (int, error) {
	today, err := Today(now)
	if err != nil {
		return 0, err
	}
	if before(today, birth) {
		return 0, reject("kyc.birth_date.future")
	}
	age := today.Year - birth.Year
	if today.Month < birth.Month || (today.Month == birth.Month && today.Day < birth.Day) {
		age--
	}
	return age, nil
}

func before(a, b Date) bool {
	if a.Year != b.Year {
		return a.Year < b.Year
	}
	if a.Month != b.Month {
		return a.Month < b.Month
	}
	return a.Day < b.Day
}
