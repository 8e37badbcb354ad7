package sigcheck

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/synth"
)

// TestCalibrate prints every rule's measured value per synthetic case, for choosing thresholds:
// SIGCHECK_CALIBRATE=N go test -run Calibrate -v ./plugins/signature/sigcheck
func TestCalibrate(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SIGCHECK_CALIBRATE"))
	if n <= 0 {
		t.Skip("set SIGCHECK_CALIBRATE=N to print measurements of N scenes per kind")
	}
	d := New(DefaultThresholds())
	only := os.Getenv("SIGCHECK_KINDS") // comma-separated kinds, empty: all
	for _, k := range synth.SheetKinds() {
		if only != "" && !slices.Contains(strings.Split(only, ","), string(k)) {
			continue
		}
		for s := 1; s <= n; s++ {
			c, err := synth.RenderSheet(k, uint64(s), 1280, 720)
			if err != nil {
				t.Fatal(err)
			}
			v, _ := d.CheckSignature(context.Background(), sdk.SignatureRequest{Image: c.Image})
			line := fmt.Sprintf("%-9s %2d %-15s", k, s, v.Outcome)
			for _, r := range v.Rules {
				mark := " "
				if r.Outcome == sdk.Fail {
					mark = "!"
				}
				line += fmt.Sprintf(" %s%s=%.3g", mark, r.Name[len("signature."):], r.Value)
			}
			if m, _ := measure(context.Background(), c.Image, fullScale()); m.ink != nil {
				line += fmt.Sprintf(" coh=%.2f contrast=%.0f", m.ink.coherence, m.ink.contrast)
			}
			fmt.Println(line)
		}
	}
}
