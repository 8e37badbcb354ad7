package eligibility

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Tehran must resolve on machines without a zoneinfo database

	jalaali "github.com/jalaali/go-jalaali"
)

// AgeOn returns the age in whole Jalali years on the day now falls on in Tehran, for a Jalali
// birth date "YYYY/MM/DD" (ASCII or Persian digits). A person whose birthday is today has
// reached the new age; one born on 30 Esfand of a leap year reaches it on 1 Farvardin in
// common years (the day after 29 Esfand).
func AgeOn(birthDate string, now time.Time) (int, error) {
	by, bm, bd, err := parseJalali(birthDate)
	if err != nil {
		return 0, err
	}
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		return 0, fmt.Errorf("load Tehran time zone: %w", err)
	}
	t := now.In(loc)
	ny, nm, nd, err := jalaali.ToJalaali(t.Year(), t.Month(), t.Day())
	if err != nil {
		return 0, fmt.Errorf("convert today to Jalali: %w", err)
	}
	if by > ny || (by == ny && (bm > int(nm) || (bm == int(nm) && bd > nd))) {
		return 0, fmt.Errorf("birth date %s is in the future", birthDate)
	}
	age := ny - by
	if int(nm) < bm || (int(nm) == bm && nd < bd) {
		age--
	}
	return age, nil
}

// parseJalali parses "YYYY/MM/DD" and rejects days the Jalali calendar does not have.
func parseJalali(s string) (y, m, d int, err error) {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		case r == '-':
			return '/'
		}
		return r
	}, strings.TrimSpace(s))
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return 0, 0, 0, fmt.Errorf("birth date %q: want YYYY/MM/DD", s)
	}
	n := [3]int{}
	for i, p := range parts {
		if n[i], err = strconv.Atoi(p); err != nil {
			return 0, 0, 0, fmt.Errorf("birth date %q: %w", s, err)
		}
	}
	y, m, d = n[0], n[1], n[2]
	if y < 1200 || y > 1600 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, 0, 0, fmt.Errorf("birth date %q out of range", s)
	}
	// Round-trip through the Gregorian calendar: an impossible day (31 Mehr, 30 Esfand of a
	// common year) comes back as another date.
	gy, gm, gd, err := jalaali.ToGregorian(y, jalaali.Month(m), d)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("birth date %q: %w", s, err)
	}
	ry, rm, rd, err := jalaali.ToJalaali(gy, gm, gd)
	if err != nil || ry != y || int(rm) != m || rd != d {
		return 0, 0, 0, fmt.Errorf("birth date %q is not a calendar day", s)
	}
	return y, m, d, nil
}
