package layers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/ehraz/ehraz/"

// A rule names a set of packages (module-relative; "x/..." is x and everything below it) and
// what they may import from the module. Imports of a package's own subtree are always allowed
// when Own is set. Test files follow the same rule plus TestMay.
type rule struct {
	Layer   string
	Pkgs    []string
	May     []string
	TestMay []string
	Own     bool
	// NoDeps are import-path prefixes that must not appear anywhere in the package's
	// dependency graph (non-test), whoever pulls them in.
	NoDeps []string
}

// noIO is what the domain may never depend on: UI, SQL, RPC, plugin machinery, vision, HTTP.
var noIO = []string{"fyne.io/", "database/sql", "github.com/mattn/go-sqlite3", "google.golang.org/grpc",
	"google.golang.org/protobuf", "github.com/hashicorp/go-plugin", "gocv.io/", "github.com/Kagami/go-face",
	"net/http", "github.com/yalue/onnxruntime_go", "github.com/hashicorp/go-hclog"}

// The shared bottom of the graph: importable by every layer above it.
var (
	leaves  = []string{"domain/text", "domain/problem", "domain/clock", "plugins/sdk", "locales"}
	domain  = append([]string{"domain/kyc", "domain/eligibility", "domain/dossier", "synth"}, leaves...)
	kioskUp = append([]string{"app/flow"}, domain...)
)

// rules is docs/architecture.md as a table, top layer first. Every package of the module must
// match exactly one rule.
var rules = []rule{
	// programs: wire and start. They may import anything but another program.
	{Layer: "program", Pkgs: []string{"app", "backoffice", "cmd/...", "tools/...", "app/ui/previewbench",
		"plugins/face", "plugins/liveness", "plugins/signature"}, May: []string{"*"}},

	// presentation: the kiosk's screens.
	{Layer: "presentation", Pkgs: []string{"app/ui", "app/ui/rtl", "app/ui/localeenv"},
		May: append([]string{"app/ui/rtl", "app/ui/localeenv", "app/camera", "capture", "app/pin", "app/voice", "assets"}, kioskUp...)},

	// wiring: assembles the kiosk; config is a leaf.
	{Layer: "wiring", Pkgs: []string{"app/kiosk"}, May: []string{"*"}},
	{Layer: "config", Pkgs: []string{"app/config"}},

	// kiosk adapters.
	{Layer: "adapter", Pkgs: []string{"app/store"}, May: kioskUp,
		TestMay: []string{"services/...", "app/outbox"}},
	{Layer: "adapter", Pkgs: []string{"app/outbox"}, May: append([]string{"services/apicall"}, kioskUp...),
		TestMay: []string{"app/store"}},
	{Layer: "adapter", Pkgs: []string{"app/detect"}, May: append([]string{"plugins/sdk/transport", "app/detect/confine"}, kioskUp...),
		TestMay: []string{"plugins/sdk/..."}},
	// the plugin sandbox launcher's half (cmd/ehraz-sandbox): Landlock and limits, nothing of ours.
	{Layer: "adapter", Pkgs: []string{"app/detect/confine"}},
	{Layer: "adapter", Pkgs: []string{"app/camera"}, May: append([]string{"capture"}, kioskUp...)},
	{Layer: "adapter", Pkgs: []string{"app/pin"}, May: domain},
	// voice guidance: the prompts (WAVs by locale key, espeak-ng rendering) and their player (oto).
	{Layer: "adapter", Pkgs: []string{"app/voice"}, TestMay: []string{"locales"}},
	{Layer: "adapter", Pkgs: []string{"app/voice/otoplay"}, May: []string{"app/voice"}},

	// back office: never the kiosk.
	{Layer: "backoffice", Pkgs: []string{"backoffice/..."}, Own: true,
		May: append([]string{"services/..."}, domain...)},

	// service clients, shared by both sides. The kiosk's ports live in app/flow; a client that
	// implements one imports the port's types.
	{Layer: "service", Pkgs: []string{"services/apicall", "services/geoip", "services/secrets", "services/servicetest"}, May: domain,
		TestMay: []string{"services/servicetest"}},
	{Layer: "service", Pkgs: []string{"services/sms"}, May: append([]string{"services/secrets"}, domain...), TestMay: []string{"services/apicall", "services/servicetest"}},
	{Layer: "service", Pkgs: []string{"services/otp"}, May: append([]string{"services/sms"}, kioskUp...),
		TestMay: []string{"services/servicetest"}},
	{Layer: "service", Pkgs: []string{"services/sejam", "services/registry"},
		May: append([]string{"services/apicall"}, kioskUp...), TestMay: []string{"services/simulator", "services/sms", "services/servicetest"}},
	{Layer: "service", Pkgs: []string{"services/enroll"}, May: append([]string{"services/apicall"}, domain...)},
	{Layer: "service", Pkgs: []string{"services/simulator"}, May: append([]string{"services/sms"}, domain...),
		TestMay: []string{"services/servicetest"}},

	// camera sources: draw their demo scenes with synth, never with a detector.
	{Layer: "capture", Pkgs: []string{"capture/..."}, Own: true, May: domain},

	// plugin transport and the vendors' conformance kit.
	{Layer: "transport", Pkgs: []string{"plugins/sdk/transport/...", "plugins/sdk/internal/...", "plugins/sdk/conformance/..."},
		May: []string{"plugins/sdk/..."}},

	// detectors: vendor-replaceable; the SDK types and their own plugin only.
	{Layer: "detector", Pkgs: []string{"plugins/face/...", "plugins/liveness/...", "plugins/signature/..."}, Own: true,
		May: []string{"plugins/sdk", "plugins/onnxrun"}, TestMay: []string{"synth", "plugins/sdk/..."},
		NoDeps: []string{"fyne.io/", "database/sql", "google.golang.org/grpc", "github.com/hashicorp/go-plugin", "net/http"}},

	// the detectors' shared ONNX runtime (onnxruntime_go): nothing of the module.
	{Layer: "detector", Pkgs: []string{"plugins/onnxrun"},
		NoDeps: []string{"fyne.io/", "database/sql", "google.golang.org/grpc", "github.com/hashicorp/go-plugin", "net/http"}},

	// domain.
	{Layer: "domain", Pkgs: []string{"app/flow"}, May: domain, NoDeps: noIO},
	{Layer: "domain", Pkgs: []string{"domain/kyc", "domain/eligibility", "domain/dossier"}, May: domain, NoDeps: noIO},
	{Layer: "domain", Pkgs: []string{"synth"}, May: leaves, NoDeps: noIO},
	{Layer: "leaf", Pkgs: []string{"domain/text", "domain/problem", "domain/clock", "locales"}, NoDeps: noIO},
	{Layer: "leaf", Pkgs: []string{"plugins/sdk"}, May: []string{"domain/text"}, NoDeps: noIO},
	// the kiosk's drawn pictures (embedded SVG).
	{Layer: "leaf", Pkgs: []string{"assets"}, NoDeps: noIO},
}

func match(pattern, pkg string) bool {
	if pattern == "*" {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pkg == pattern
}

func matchAny(patterns []string, pkg string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return match(p, pkg) })
}

type pkgInfo struct {
	ImportPath   string
	Name         string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Deps         []string
}

func listModule(t *testing.T) []pkgInfo {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the layering check needs the go tool on PATH: %v", err)
	}
	cmd := exec.Command(goTool, "list", "-json", module+"...")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkgInfo
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkgInfo
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decode go list: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func ruleFor(rel string) (rule, error) {
	var found []rule
	for _, r := range rules {
		if matchAny(r.Pkgs, rel) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		return rule{}, fmt.Errorf("%s is in no layer: add it to the table in tools/layers and to docs/architecture.md", rel)
	case 1:
		return found[0], nil
	}
	// The most specific pattern wins: an exact name beats a subtree.
	for _, r := range found {
		if slices.Contains(r.Pkgs, rel) {
			return r, nil
		}
	}
	return found[0], nil
}

// allowed reports whether a package under rule r may import dep (module-relative).
func allowed(r rule, rel, dep string, test bool) bool {
	if dep == rel {
		return true // an external test package imports the package it tests
	}
	if r.Own && sameTree(r, rel, dep) {
		return true
	}
	if matchAny(r.May, dep) {
		return true
	}
	return test && matchAny(r.TestMay, dep)
}

// sameTree: dep lies under the same subtree pattern of r as rel.
func sameTree(r rule, rel, dep string) bool {
	for _, p := range r.Pkgs {
		if base, ok := strings.CutSuffix(p, "/..."); ok && match(p, rel) && match(p, dep) {
			_ = base
			return true
		}
	}
	return false
}

// TestLayering checks every package's imports (and its tests' imports) against the table.
func TestLayering(t *testing.T) {
	pkgs := listModule(t)
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages: is the module path %q right?", len(pkgs), module)
	}
	var problems []string
	for _, p := range pkgs {
		rel := strings.TrimPrefix(p.ImportPath, module)
		if p.ImportPath == strings.TrimSuffix(module, "/") {
			rel = ""
		}
		r, err := ruleFor(rel)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		check := func(imps []string, test bool) {
			for _, imp := range imps {
				dep, ok := strings.CutPrefix(imp, module)
				if !ok {
					continue
				}
				if !allowed(r, rel, dep, test) {
					kind := "imports"
					if test {
						kind = "tests import"
					}
					problems = append(problems, fmt.Sprintf("%s (%s) %s %s", rel, r.Layer, kind, dep))
				}
			}
		}
		check(p.Imports, false)
		check(append(slices.Clone(p.TestImports), p.XTestImports...), true)
		for _, bad := range r.NoDeps {
			if i := slices.IndexFunc(p.Deps, func(d string) bool { return strings.HasPrefix(d, bad) }); i >= 0 {
				problems = append(problems, fmt.Sprintf("%s (%s) depends on %s (%s)", rel, r.Layer, bad, p.Deps[i]))
			}
		}
	}
	sort.Strings(problems)
	problems = slices.Compact(problems)
	for _, pr := range problems {
		t.Error(pr)
	}
	if len(problems) > 0 {
		t.Logf("%d imports break docs/architecture.md", len(problems))
	}
}

// TestRulesCatchViolations proves the checker is not vacuous: known-bad edges are refused and
// known-good ones allowed.
func TestRulesCatchViolations(t *testing.T) {
	for _, c := range []struct {
		pkg, dep string
		test     bool
		ok       bool
	}{
		{"app/flow", "app/store", false, false},
		{"app/flow", "plugins/sdk/transport", false, false},
		{"app/flow", "domain/kyc", false, true},
		{"backoffice/intake", "app/outbox", false, false},
		{"backoffice/intake", "domain/dossier", false, true},
		{"capture", "plugins/signature/sigcheck", true, false},
		{"capture", "synth", false, true},
		{"plugins/face/facecheck", "plugins/sdk/transport", false, false},
		{"plugins/face/facecheck", "plugins/sdk", false, true},
		{"plugins/face", "plugins/sdk/transport", false, true},
		{"app/store", "app/outbox", false, false},
		{"app/config", "services/sms", false, false},
		{"domain/eligibility", "app/flow", false, false},
		{"services/sejam", "app/flow", false, true},
		{"app/kiosk", "backoffice/intake", false, true},
	} {
		r, err := ruleFor(c.pkg)
		if err != nil {
			t.Fatal(err)
		}
		if got := allowed(r, c.pkg, c.dep, c.test); got != c.ok {
			t.Errorf("%s → %s (test %v): allowed=%v, want %v", c.pkg, c.dep, c.test, got, c.ok)
		}
	}
}
