package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func runEvalArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"--lang", "en", "eval"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestEvalSubjectTable: `eval` alone and an unknown subject print the table of subjects and exit
// with the usage code; every subject has a name, a help line and flags including --plugin.
func TestEvalSubjectTable(t *testing.T) {
	subjects := evalSubjects()
	if len(subjects) < 3 {
		t.Fatalf("%d subjects, want face, liveness and signature at least", len(subjects))
	}
	seen := map[string]bool{}
	for _, s := range subjects {
		if s.name == "" || s.help == "" || s.flags == nil || seen[s.name] {
			t.Errorf("subject %+v: want a unique name, a help line and flags", s)
		}
		seen[s.name] = true
		fs := flag.NewFlagSet(s.name, flag.ContinueOnError)
		if _, measure := s.flags(fs); measure == nil {
			t.Errorf("subject %s measures nothing", s.name)
		}
		// The default --plugin is a reference plugin that `make plugins` builds.
		plugin := s.name
		if s.plugin != "" {
			plugin = s.plugin
		}
		if _, err := os.Stat(filepath.Join("..", "..", "plugins", plugin, "main.go")); err != nil {
			t.Errorf("subject %s measures plugin %q, which is no reference plugin: %v", s.name, plugin, err)
		}
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(s.args, "--"+f.Name) {
				t.Errorf("subject %s: flag --%s missing from its usage %q", s.name, f.Name, s.args)
			}
		})
	}
	for _, name := range []string{"face", "liveness", "signature"} {
		if !seen[name] {
			t.Errorf("no subject %q", name)
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		want string // on stderr besides the table
	}{
		{"no subject", nil, "usage: ehrazctl eval SUBJECT"},
		{"unknown subject", []string{"voice"}, `unknown subject "voice"`},
		{"help", []string{"help"}, "usage: ehrazctl eval SUBJECT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runEvalArgs(t, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, stderr)
			}
			for _, s := range subjects {
				if !strings.Contains(stderr, "  "+s.name+" ") || !strings.Contains(stderr, " "+s.args+": "+s.help+"\n") {
					t.Errorf("stderr does not list %s:\n%s", s.name, stderr)
				}
			}
		})
	}
}

// TestEvalBadFlagsAreUsageErrors: wrong flags exit with the usage code before any plugin starts
// (the plugin paths given do not exist).
func TestEvalBadFlagsAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"face", "--nope"},
		{"face", "extra"},
		{"liveness", "--n", "0", "--plugin", "/nonexistent"},
		{"signature", "--n", "0", "--plugin", "/nonexistent"},
		{"signature", "--size", "10x10", "--plugin", "/nonexistent"},
	} {
		code, _, stderr := runEvalArgs(t, args...)
		if code != exitUsage {
			t.Errorf("eval %v: exit %d, want %d\n%s", args, code, exitUsage, stderr)
		}
		if !strings.Contains(stderr, "usage: ehrazctl eval "+args[0]) {
			t.Errorf("eval %v: no usage line:\n%s", args, stderr)
		}
	}
	// a missing plugin is a failed run, not a usage error
	if code, _, stderr := runEvalArgs(t, "signature", "--n", "1", "--plugin", "/nonexistent"); code != exitInvalid {
		t.Errorf("missing plugin: exit %d, want %d\n%s", code, exitInvalid, stderr)
	}
}

// TestReadPeople: the header is skipped, the person and the note are kept (face pairs photos by
// person; liveness skips photos with a note).
func TestReadPeople(t *testing.T) {
	dir := t.TempDir()
	tsv := "file\tperson\tnote\na.jpg\tali\t\nb.jpg\tali\n\nc.jpg\t-\tgroup photo\n"
	if err := os.WriteFile(filepath.Join(dir, "people.tsv"), []byte(tsv), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readPeople(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []personPhoto{
		{file: "a.jpg", person: "ali", path: filepath.Join(dir, "a.jpg")},
		{file: "b.jpg", person: "ali", path: filepath.Join(dir, "b.jpg")},
		{file: "c.jpg", person: "-", note: "group photo", path: filepath.Join(dir, "c.jpg")},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("readPeople = %+v, want %+v", got, want)
	}
	// a labelled photo compares by its person, not by the whole row
	a, b := faceLabelled{personPhoto: got[0]}, faceLabelled{personPhoto: got[1]}
	if a.person != b.person {
		t.Fatal("two photos of ali are not the same person")
	}
}
