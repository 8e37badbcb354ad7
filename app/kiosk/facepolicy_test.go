package kiosk

import (
	"testing"

	"github.com/ehraz/ehraz/app/config"
	"github.com/ehraz/ehraz/app/flow"
)

// The config's [face] defaults are the flow's: the README and `ehrazctl eval face` report the
// flow's default policy, and a kiosk without [face] must run exactly that.
func TestFacePolicyDefaultsAgree(t *testing.T) {
	f := config.Default().Face
	if got := (flow.FacePolicy{PassFMR: f.PassFMR, FailFMR: f.FailFMR, FusedPassFMR: f.FusedPassFMR}); got != flow.DefaultFacePolicy() {
		t.Errorf("config [face] default %+v, flow default %+v", got, flow.DefaultFacePolicy())
	}
}
