package eligibility

import (
	"fmt"
	"time"

	"github.com/ehraz/ehraz/domain/kyc"
)

// AgeOn returns the age in whole Jalali years on the day now falls on in Tehran, for a Jalali
// birth date "YYYY/MM/DD" (ASCII or Persian digits). It is kyc.ParseJalali and kyc.AgeOn: a
// person whose birthday is today has reached the new age; one born on 30 Esfand of a leap year
// reaches it on 1 Farvardin in common years (the day after 29 Esfand). An impossible or future
// date is an error.
func AgeOn(birthDate string, now time.Time) (int, error) {
	d, err := kyc.ParseJalali(birthDate)
	if err != nil {
		return 0, fmt.Errorf("birth date: %w", err)
	}
	age, err := kyc.AgeOn(d, now)
	if err != nil {
		return 0, fmt.Errorf("birth date %s: %w", d, err)
	}
	return age, nil
}
