package flow

import (
	"os/exec"
	"strings"
	"testing"
)

var forbidden = []string{"fyne.io/", "database/sql", "google.golang.org/grpc", "github.com/hashicorp/go-plugin",
	"github.com/mattn/go-sqlite3", "gocv.io/", "github.com/Kagami/go-face"}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH: cannot list dependencies")
	}
	out, err := exec.Command(goTool, append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Fields(string(out))
}

func isForbidden(dep string) bool {
	for _, bad := range forbidden {
		if strings.HasPrefix(dep, bad) {
			return true
		}
	}
	return false
}

// TestForbiddenImports keeps the state machine free of UI, SQL, gRPC and plugin machinery: it
// talks to them only through its ports (style.md, rule 2). kyc must be clean all the way down.
// flow imports plugins/sdk for the verdict types, and sdk currently also holds the go-plugin
// Serve/host code (which pulls in gRPC); dependencies that arrive only through sdk are tolerated
// here until sdk's types live in a package of their own — everything else is checked.
func TestForbiddenImports(t *testing.T) {
	for _, dep := range goList(t, "-deps", "github.com/ehraz/ehraz/domain/kyc") {
		if isForbidden(dep) {
			t.Errorf("app/kyc depends on %s", dep)
		}
	}
	for _, imp := range goList(t, "-f", `{{join .Imports " "}}`, "github.com/ehraz/ehraz/app/flow") {
		if isForbidden(imp) {
			t.Errorf("app/flow imports %s", imp)
		}
	}
	viaSDK := map[string]bool{}
	for _, dep := range goList(t, "-deps", "github.com/ehraz/ehraz/plugins/sdk") {
		viaSDK[dep] = true
	}
	for _, dep := range goList(t, "-deps", "github.com/ehraz/ehraz/app/flow") {
		if isForbidden(dep) && !viaSDK[dep] {
			t.Errorf("app/flow depends on %s (not through plugins/sdk)", dep)
		}
	}
}
