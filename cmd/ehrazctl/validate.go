package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/domain/problem"
)

// validators maps each kind of value to its kyc check; each returns the normalized value and,
// where there is one, a second word (the operator, the card kind).
var validators = map[string]func(string) (string, string, error){
	"national-code": func(s string) (string, string, error) { v, err := kyc.ParseNationalCode(s); return string(v), "", err },
	"mobile": func(s string) (string, string, error) {
		v, op, err := kyc.ParseMobile(s)
		return string(v), string(op), err
	},
	"card-serial": func(s string) (string, string, error) {
		v, kind, err := kyc.ParseCardSerial(s)
		return string(v), string(kind), err
	},
	"tracking-code": func(s string) (string, string, error) { v, err := kyc.ParseTrackingCode(s); return string(v), "", err },
	"birth-date": func(s string) (string, string, error) {
		d, err := kyc.ParseJalali(s)
		if err != nil {
			return "", "", err
		}
		return d.String(), "", nil
	},
}

const validateUsage = "usage: ehrazctl validate [--lang fa|en] national-code|mobile|card-serial|tracking-code|birth-date VALUE"

// validateCommand checks one identifier the way the kiosk does: exit 0 and the normalized value
// (a mobile also prints its operator, a card serial its kind), exit 1 and the reason in the
// chosen language, exit 2 on usage errors.
func validateCommand() command {
	return command{
		name:    "validate",
		summary: "check a national code, mobile, card serial, tracking code or birth date",
		run: func(_ context.Context, e *env, args []string) int {
			fs := flag.NewFlagSet("validate", flag.ContinueOnError)
			fs.SetOutput(e.stderr)
			lang := fs.String("lang", e.lang, "language of the reason: fa or en")
			fs.Usage = func() { fmt.Fprintln(e.stderr, validateUsage) }
			if err := fs.Parse(args); err != nil {
				return exitUsage
			}
			if *lang != "fa" && *lang != "en" {
				fmt.Fprintf(e.stderr, "ehrazctl validate: unknown language %q (fa or en)\n", *lang)
				return exitUsage
			}
			if fs.NArg() != 2 {
				fmt.Fprintln(e.stderr, validateUsage)
				return exitUsage
			}
			check, ok := validators[fs.Arg(0)]
			if !ok {
				fmt.Fprintf(e.stderr, "ehrazctl validate: unknown kind %q\n%s\n", fs.Arg(0), validateUsage)
				return exitUsage
			}
			v, extra, err := check(fs.Arg(1))
			if err != nil {
				var ke *problem.Error
				if !errors.As(err, &ke) {
					fmt.Fprintln(e.stderr, "ehrazctl validate:", err)
					return exitInvalid
				}
				fmt.Fprintln(e.stderr, e.cat.T(*lang, ke.Key, ke.Args...))
				return exitInvalid
			}
			fmt.Fprintln(e.stdout, strings.TrimSpace(v+" "+extra))
			return exitOK
		},
	}
}
