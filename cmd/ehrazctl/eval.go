package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/conformance"
)

// evalSubject is one thing `ehrazctl eval` measures. Each starts the real plugin binary over the
// plugin protocol (so ehrazctl links no dlib, OpenCV or onnxruntime and the figures are those of
// what the kiosk runs) and prints its figures one `eval.SUBJECT[.TOPIC] key=value…` line each.
// A new subject is one entry of evalSubjects.
type evalSubject struct {
	name string
	// plugin names the plugin the subject measures, when it is not the subject's name (fingers
	// are counted by the liveness plugin).
	plugin string
	args   string // the subject's flags, for the usage line
	help   string // one line
	// flags declares the subject's flags on fs (besides --plugin, which every subject has) and
	// returns check, which reports a wrong flag value as a usage error (nil: nothing to check),
	// and measure, which runs once the flags are parsed and checked and the plugin has started.
	flags func(fs *flag.FlagSet) (check func() error, measure func(ctx context.Context, r evalRun) error)
}

// evalSubjects is the table of `ehrazctl eval` subjects, in the order eval lists them.
func evalSubjects() []evalSubject {
	return []evalSubject{evalFaceSubject(), evalLivenessSubject(), evalSignatureSubject(), evalFingersSubject()}
}

// evalRun is what a subject's measurement gets.
type evalRun struct {
	plugin     conformance.Detector // the started plugin
	pluginPath string
	out        evalOut   // results
	logs       io.Writer // progress and the plugin's log
}

// evalOut writes an evaluation's results, one `eval.SUBJECT[.TOPIC] key=value…` line each.
type evalOut struct {
	w       io.Writer
	subject string
}

// line writes `eval.SUBJECT.TOPIC ` (`eval.SUBJECT ` for an empty topic) and format's text.
func (o evalOut) line(topic, format string, args ...any) {
	name := "eval." + o.subject
	if topic != "" {
		name += "." + topic
	}
	fmt.Fprintf(o.w, name+" "+format+"\n", args...)
}

// errEvalUsage marks a wrong flag value found by a subject's check.
var errEvalUsage = errors.New("usage")

func evalUsageError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errEvalUsage}, args...)...)
}

// evalCommand is `ehrazctl eval SUBJECT [FLAGS]`; `ehrazctl eval` alone lists the subjects.
func evalCommand() command {
	var names []string
	for _, s := range evalSubjects() {
		names = append(names, s.name)
	}
	return command{
		name:    "eval",
		summary: "eval " + strings.Join(names, "|") + " [FLAGS]: measure a detector plugin (eval alone lists the subjects)",
		run:     runEval,
	}
}

func runEval(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		return evalUsage(e)
	}
	var sub *evalSubject
	for _, s := range evalSubjects() {
		if s.name == args[0] {
			sub = &s
			break
		}
	}
	if sub == nil {
		fmt.Fprintf(e.stderr, "ehrazctl eval: unknown subject %q\n", args[0])
		return evalUsage(e)
	}
	fs := flag.NewFlagSet("eval "+sub.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	plugin := sub.name
	if sub.plugin != "" {
		plugin = sub.plugin
	}
	plug := fs.String("plugin", filepath.Join("bin", "plugins", plugin), plugin+" plugin binary (make plugins)")
	check, measure := sub.flags(fs)
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 {
		fmt.Fprintf(e.stderr, "usage: ehrazctl eval %s %s\n", sub.name, sub.args)
		return exitUsage
	}
	if check != nil {
		if err := check(); err != nil {
			fmt.Fprintf(e.stderr, "eval %s: %v\n", sub.name, errors.Unwrap(err))
			fmt.Fprintf(e.stderr, "usage: ehrazctl eval %s %s\n", sub.name, sub.args)
			return exitUsage
		}
	}
	fail := func(err error) int {
		fmt.Fprintf(e.stderr, "eval %s: %v\n", sub.name, err)
		return exitInvalid
	}
	r, stop, err := conformance.Start(*plug, e.stderr)
	if err != nil {
		return fail(err)
	}
	defer stop()
	run := evalRun{plugin: r, pluginPath: *plug, out: evalOut{w: e.stdout, subject: sub.name}, logs: e.stderr}
	if err := measure(ctx, run); err != nil {
		return fail(err)
	}
	return exitOK
}

func evalUsage(e *env) int {
	fmt.Fprintln(e.stderr, "usage: ehrazctl eval SUBJECT [FLAGS]")
	for _, s := range evalSubjects() {
		fmt.Fprintf(e.stderr, "  %-10s %s: %s\n", s.name, s.args, s.help)
	}
	return exitUsage
}

// evalSharedDir is $SHARED, else ../shared (the shared test data beside the repository).
func evalSharedDir() string {
	if s := os.Getenv("SHARED"); s != "" {
		return s
	}
	return filepath.Join("..", "shared")
}

// personPhoto is one photo of a labelled folder's people.tsv (file, person, note). Person "-" marks a
// group photo; a note marks a photo with other people in it.
type personPhoto struct {
	file, person, note string
	path               string // the photo's path
}

// readPeople lists the photos of dir/people.tsv, skipping its header.
func readPeople(dir string) ([]personPhoto, error) {
	f, err := os.Open(filepath.Join(dir, "people.tsv"))
	if err != nil {
		return nil, fmt.Errorf("open people.tsv: %w", err)
	}
	defer f.Close()
	var out []personPhoto
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 || cols[0] == "" || cols[0] == "file" {
			continue
		}
		p := personPhoto{file: cols[0], person: cols[1], path: filepath.Join(dir, cols[0])}
		if len(cols) > 2 {
			p.note = strings.TrimSpace(cols[2])
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read people.tsv: %w", err)
	}
	return out, nil
}

// ruleNamed is the verdict's rule called name.
func ruleNamed(v sdk.Verdict, name string) (sdk.Rule, bool) {
	for _, r := range v.Rules {
		if r.Name == name {
			return r, true
		}
	}
	return sdk.Rule{}, false
}

// ratio is a/b, 0 when b is 0.
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
