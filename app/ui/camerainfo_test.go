package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/capture"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// identitySource is a webcam source that reports an identity and a camera check.
type identitySource struct {
	capture.Source
	dev   *capture.DeviceCheck
	check sdk.Outcome
}

func (s identitySource) Info() capture.Info {
	return capture.Info{Kind: "webcam", Name: "video0", Width: 640, Height: 480, FPS: 15, Device: s.dev}
}

func (s identitySource) CheckCamera(context.Context) sdk.Verdict {
	return sdk.Verdict{Outcome: s.check}
}

// TestCameraIdentityForOperator: the operator's health view shows the webcam's driver, card,
// bus, USB ids and the policy's decision, and what the camera check thinks of the frames.
func TestCameraIdentityForOperator(t *testing.T) {
	uvc := capture.DeviceCheck{Identity: capture.Identity{Node: "video0", Driver: "uvcvideo", Card: "HD Webcam C525",
		Bus: "usb-0000:00:14.0-1", USB: "046d:0826", USBName: "Logitech HD Webcam C525"}, Allowed: true, Rule: "allow usb:046d:*"}
	loop := capture.DeviceCheck{Identity: capture.Identity{Node: "video0", Driver: "v4l2 loopback", Card: "OBS Virtual Camera",
		Bus: "platform:v4l2loopback-000"}, Rule: "deny driver:v4l2 loopback"}
	for _, c := range []struct {
		name  string
		src   identitySource
		want  []string
		wantK []string // keys whose text must appear
	}{
		{"allowed USB webcam", identitySource{dev: &uvc, check: sdk.Pass},
			[]string{"uvcvideo", "HD Webcam C525", "usb-0000:00:14.0-1", "046d:0826", "allow usb:046d:*"},
			[]string{"operator.camera.frames.sensor"}},
		{"refused loopback", identitySource{dev: &loop, check: sdk.NeedsReview},
			[]string{"v4l2 loopback", "OBS Virtual Camera", "platform:v4l2loopback-000", "deny driver:v4l2 loopback"},
			[]string{"operator.camera.usb_none", "operator.camera.frames.synthetic"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, "en")
			box := container.NewVBox()
			h.u.cameraIdentity(box, c.src)
			// paragraphs are wrapped into lines: compare with the spacing flattened
			flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
			var lines []string
			for _, o := range box.Objects {
				if l, ok := o.(*widget.Label); ok {
					lines = append(lines, l.Text)
				}
			}
			text := flat(strings.Join(lines, " "))
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("health view lacks %q:\n%s", w, strings.Join(lines, "\n"))
				}
			}
			for _, k := range c.wantK {
				if !strings.Contains(text, flat(h.u.T(k))) {
					t.Errorf("health view lacks %s:\n%s", k, strings.Join(lines, "\n"))
				}
			}
		})
	}
}
