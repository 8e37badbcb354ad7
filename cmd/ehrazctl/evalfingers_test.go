package main

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestFingerTally: accuracy, recall and the confusion rows from a known set of reads; reads of no
// number (fingersNone, 0, 6) fall out of the 5×5 matrix but count against accuracy and recall,
// with their reason.
func TestFingerTally(t *testing.T) {
	var tl fingerTally
	reads := []struct {
		want, got int
		reason    string
	}{
		{1, 1, ""}, {1, 1, ""}, {1, 2, ""},
		{2, 2, ""},
		{3, 3, ""}, {3, 2, ""}, {3, fingersNone, "verdict.liveness.hand.two"},
		{4, 4, ""},
		{5, 4, ""}, {5, 5, ""}, {5, 0, "verdict.liveness.hand.fist"}, {5, fingersNone, ""},
		{0, 3, ""}, {6, 6, ""}, // labels outside 1–5 are ignored
	}
	for _, r := range reads {
		tl.add(r.want, r.got, r.reason)
	}
	if n, c := tl.n(); n != 12 || c != 6 {
		t.Fatalf("n=%d correct=%d, want 12 and 6", n, c)
	}
	for w, want := range map[int]float64{1: 2.0 / 3, 2: 1, 3: 1.0 / 3, 4: 1, 5: 0.25} {
		if got := tl.recall(w); math.Abs(got-want) > 1e-9 {
			t.Errorf("recall.%d = %v, want %v", w, got, want)
		}
	}
	got := tl.lines()
	want := []string{
		"accuracy=0.500", "n=12",
		"recall.1=0.667", "recall.2=1.000", "recall.3=0.333", "recall.4=1.000", "recall.5=0.250",
		"confusion.1=2,1,0,0,0", "confusion.2=0,1,0,0,0", "confusion.3=0,1,1,0,0", "confusion.4=0,0,0,1,0", "confusion.5=0,0,0,1,1",
		"uncounted=3", "uncounted.none=1", "uncounted.verdict.liveness.hand.fist=1", "uncounted.verdict.liveness.hand.two=1",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var empty fingerTally
	if empty.accuracy() != 0 || empty.recall(3) != 0 {
		t.Fatal("an empty tally is not all zero")
	}
}

// TestReadFingerLabels: the header is skipped; a count outside 1–5 is an error.
func TestReadFingerLabels(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "labels.tsv"), []byte("file\tfingers\tnote\n3-a.jpg\t3\t\n\n1-b.jpg\t1\tdim\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readFingerLabels(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].fingers != 3 || got[1].file != "1-b.jpg" || got[1].path != filepath.Join(dir, "1-b.jpg") {
		t.Fatalf("readFingerLabels = %+v", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "labels.tsv"), []byte("x.jpg\t7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readFingerLabels(dir); err == nil {
		t.Fatal("a count of 7 was accepted")
	}
}

// TestEvalFingersEndToEnd builds the real liveness plugin and runs `eval fingers` on two photos of
// each count from the shared hands plus one corrupt file: every figure line is printed, the corrupt
// photo is reported on its own line and the run goes on.
func TestEvalFingersEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the liveness plugin")
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	shared := os.Getenv("SHARED")
	if shared == "" {
		shared = filepath.Join(root, "..", "shared")
	}
	hands := filepath.Join(shared, "testdata", "hands")
	photos, err := readFingerLabels(hands)
	if err != nil {
		t.Skipf("shared hand photos absent (%s): %v", hands, err)
	}
	models := os.Getenv("EHRAZ_MODEL_DIR")
	if models == "" {
		models = filepath.Join(root, "models")
	}
	if _, err := os.Stat(filepath.Join(models, "liveness", "handlandmark-lite.onnx")); err != nil {
		t.Skipf("liveness models absent (run `make liveness-models`): %v", err)
	}
	t.Setenv("EHRAZ_MODEL_DIR", models)
	dir := t.TempDir()
	plugin := filepath.Join(dir, "liveness")
	if out, err := exec.Command("go", "build", "-o", plugin, "github.com/ehraz/ehraz/plugins/liveness").CombinedOutput(); err != nil {
		t.Fatalf("build liveness plugin: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "hands")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	tsv := "file\tfingers\tnote\n"
	per := map[int]int{}
	for _, p := range photos {
		if per[p.fingers] == 2 {
			continue
		}
		per[p.fingers]++
		b, err := os.ReadFile(p.path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(data, p.file), b, 0o644); err != nil {
			t.Fatal(err)
		}
		tsv += p.file + "\t" + string(rune('0'+p.fingers)) + "\t\n"
	}
	if err := os.WriteFile(filepath.Join(data, "3-broken.jpg"), []byte("not a jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	tsv += "3-broken.jpg\t3\t\n"
	if err := os.WriteFile(filepath.Join(data, "labels.tsv"), []byte(tsv), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runEvalArgs(t, "fingers", "--data", data, "--plugin", plugin)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, re := range []string{
		`(?m)^eval\.fingers accuracy=(0\.9|1\.0)\d*$`, `(?m)^eval\.fingers n=10$`,
		`(?m)^eval\.fingers recall\.5=\d\.\d{3}$`, `(?m)^eval\.fingers confusion\.3=\d+,\d+,\d+,\d+,\d+$`,
		`(?m)^eval\.fingers unreadable=3-broken\.jpg `,
	} {
		if !regexp.MustCompile(re).MatchString(stdout) {
			t.Errorf("no line matching %s in:\n%s", re, stdout)
		}
	}
}
