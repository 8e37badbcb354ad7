package ui

import (
	"context"

	"fyne.io/fyne/v2"

	"github.com/ehraz/ehraz/capture"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// cameraChecker is a source that checks its own recent frames (capture.Measured).
type cameraChecker interface {
	CheckCamera(ctx context.Context) sdk.Verdict
}

// cameraIdentity adds to the operator's health view who the webcam says it is (driver, card,
// bus, USB ids), whether the camera policy allowed it and the rule that decided, and, for a
// source that measures its frames, whether the recent frames looked like a sensor's. The names
// are the driver's own (technical, Latin) and carry no personal data.
func (u *UI) cameraIdentity(box *fyne.Container, src capture.Source) {
	if src == nil {
		return
	}
	if d := src.Info().Device; d != nil {
		if d.Known() {
			box.Add(u.label("operator.camera.driver", "driver", d.Driver))
			box.Add(u.label("operator.camera.card", "card", d.Card))
			box.Add(u.label("operator.camera.bus", "bus", d.Bus))
			if d.USB != "" {
				box.Add(u.label("operator.camera.usb", "id", d.USB, "name", d.USBName))
			} else {
				box.Add(u.label("operator.camera.usb_none"))
			}
		} else {
			box.Add(u.para("operator.camera.identity_unknown", 40))
		}
		rule := d.Rule
		if rule == "" {
			rule = "-"
		}
		if d.Allowed {
			box.Add(u.label("operator.camera.allowed", "rule", rule))
		} else {
			box.Add(u.para("operator.camera.refused", 40, "rule", rule))
		}
	}
	if c, ok := src.(cameraChecker); ok {
		key := "operator.camera.frames.sensor"
		switch c.CheckCamera(u.ctx).Outcome {
		case sdk.NeedsReview, sdk.Fail:
			key = "operator.camera.frames.synthetic"
		case sdk.CouldNotVerify:
			key = "operator.camera.frames.unmeasured"
		}
		box.Add(u.para(key, 40))
	}
}
