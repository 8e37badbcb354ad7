package capture

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ehraz/ehraz/capture/v4l2"
	"github.com/ehraz/ehraz/domain/problem"
)

// Identity is who a webcam says it is: its driver's answer to VIDIOC_QUERYCAP and, for a USB
// camera, the vendor and product ids sysfs shows. None of it is personal data.
type Identity struct {
	Node    string // device node name, e.g. "video0"
	Driver  string // kernel driver, e.g. "uvcvideo"; v4l2loopback answers "v4l2 loopback"
	Card    string // device name, e.g. "HD Webcam C525"
	Bus     string // e.g. "usb-0000:00:14.0-1", "platform:v4l2loopback-000"
	USB     string // "046d:0826"; empty when the device is not on USB
	USBName string // the USB device's manufacturer and product strings
	// Err says why the driver could not be asked (the identity is then unknown).
	Err string
}

// Known reports whether the driver answered.
func (id Identity) Known() bool { return id.Err == "" && id.Driver != "" }

// String is one log line: driver, card, bus and USB ids.
func (id Identity) String() string {
	if !id.Known() {
		return fmt.Sprintf("%s: identity unknown (%s)", id.Node, id.Err)
	}
	usb := id.USB
	if usb == "" {
		usb = "none"
	}
	return fmt.Sprintf("%s: driver=%q card=%q bus=%q usb=%s", id.Node, id.Driver, id.Card, id.Bus, usb)
}

// DeviceCheck is an identity with the policy's decision about it.
type DeviceCheck struct {
	Identity
	Allowed bool
	// Rule is the policy rule that decided ("deny driver:v4l2 loopback", "allow usb:046d:*",
	// "no allow rule matched"); empty when no rule applied and the camera was accepted.
	Rule string
}

// ErrRefused is the cause of a refused camera's Read error.
var ErrRefused = errors.New("capture: camera refused")

// ReasonRefused is the locale key a refused camera's Read error carries (a *problem.Error):
// the screen tells the applicant to call the operator.
const ReasonRefused = "ui.camera.refused"

// refusedError is what Read returns for a camera the policy refused.
func refusedError(c DeviceCheck) error {
	return problem.Wrap(ReasonRefused, fmt.Errorf("%w: %s (%s)", ErrRefused, c.Identity, c.Rule))
}

// DefaultDeny are the rules every kiosk applies: drivers and names of virtual cameras, which
// feed any picture or video a program gives them into the kiosk, and of HDMI capture dongles,
// which do the same from a second computer. A name is matched without
// regard to case, as part of the field (see Policy).
var DefaultDeny = []string{
	"driver:v4l2 loopback", // umlaeute/v4l2loopback (OBS, DroidCam, ffmpeg -f v4l2 …)
	"driver:v4l2loopback",
	"bus:platform:v4l2loopback",
	"driver:akvcam", // Webcamoid's virtual camera
	"bus:platform:akvcam",
	"driver:vivid", // the kernel's virtual video test driver
	"bus:platform:vivid",
	"driver:vcam",
	"driver:droidcam",
	"card:dummy video device", // v4l2loopback's default card name
	"card:obs virtual camera",
	"card:obs-camera",
	"card:droidcam",
	"card:akvcam",
	"card:manycam",
	"card:e2esoft",
	"card:vcam",
	"card:snap camera",
	"card:xsplit",
	"card:iriun",
	"card:virtual camera",
	"card:virtual webcam",
	"card:fake webcam",
	"card:webcamoid",
	// HDMI-to-USB capture dongles: real UVC devices that pass on whatever a laptop plays.
	"usb:534d:2109", // MacroSilicon MS2109 ("USB Video")
	"usb:345f:2130", // MacroSilicon MS2130 ("USB3. 0 capture")
	"usb:0fd9:0066", // Elgato Cam Link 4K
	"card:cam link",
}

// Policy decides which webcams the kiosk uses. A camera matching a Deny rule or a DefaultDeny
// rule is refused; when Allow is not empty, a camera must also match one of its rules. A rule is
// "field:value" with field driver, card or bus (value matched case-insensitively as a part of
// the field) or usb ("046d:0826", "046d:*", or "*" for any USB camera).
type Policy struct {
	Allow []string
	Deny  []string
}

// NewPolicy checks every rule (see ValidateRule) and returns the policy.
func NewPolicy(allow, deny []string) (Policy, error) {
	for _, r := range append(slices.Clone(allow), deny...) {
		if err := ValidateRule(r); err != nil {
			return Policy{}, err
		}
	}
	return Policy{Allow: slices.Clone(allow), Deny: slices.Clone(deny)}, nil
}

// ValidateRule reports whether s is a rule Policy understands.
func ValidateRule(s string) error {
	field, value, ok := strings.Cut(s, ":")
	if !ok || strings.TrimSpace(value) == "" {
		return fmt.Errorf("camera rule %q: want field:value (driver, card, bus or usb)", s)
	}
	switch strings.ToLower(strings.TrimSpace(field)) {
	case "driver", "card", "bus":
		return nil
	case "usb":
		if value == "*" {
			return nil
		}
		v, p, ok := strings.Cut(value, ":")
		if !ok || !usbPart(v, false) || !usbPart(p, true) {
			return fmt.Errorf("camera rule %q: usb wants vendor:product in hex (046d:0826, 046d:* or *)", s)
		}
		return nil
	}
	return fmt.Errorf("camera rule %q: unknown field %q (driver, card, bus or usb)", s, field)
}

func usbPart(s string, star bool) bool {
	return star && s == "*" || v4l2.HexID(s)
}

// matches reports whether rule (already valid) matches id.
func matches(rule string, id Identity) bool {
	field, value, _ := strings.Cut(rule, ":")
	value = strings.ToLower(strings.TrimSpace(value))
	part := func(s string) bool { return s != "" && strings.Contains(strings.ToLower(s), value) }
	switch strings.ToLower(strings.TrimSpace(field)) {
	case "driver":
		return part(id.Driver)
	case "card":
		return part(id.Card)
	case "bus":
		return part(id.Bus)
	case "usb":
		if id.USB == "" {
			return false
		}
		if value == "*" {
			return true
		}
		v, p, _ := strings.Cut(value, ":")
		iv, ip, _ := strings.Cut(id.USB, ":")
		return v == iv && (p == "*" || p == ip)
	}
	return false
}

// Check decides about id. An unknown identity (the driver could not be asked) passes only
// when there is no allow-list: it cannot match a deny rule, and it cannot prove an allow rule.
func (p Policy) Check(id Identity) DeviceCheck {
	c := DeviceCheck{Identity: id}
	for _, list := range [][]string{DefaultDeny, p.Deny} {
		for _, r := range list {
			if ValidateRule(r) == nil && matches(r, id) {
				c.Rule = "deny " + r
				return c
			}
		}
	}
	if len(p.Allow) == 0 {
		c.Allowed = true
		return c
	}
	for _, r := range p.Allow {
		if ValidateRule(r) == nil && matches(r, id) {
			c.Allowed, c.Rule = true, "allow "+r
			return c
		}
	}
	c.Rule = "no allow rule matched"
	return c
}

// Identifier finds out who the camera at /dev/video<index> is.
type Identifier func(index int) Identity

// SysIdentifier asks the V4L2 driver (VIDIOC_QUERYCAP on /dev/video<index>) and sysfs under
// sysRoot (normally "/sys") for the USB device behind it.
func SysIdentifier(sysRoot string) Identifier {
	return func(index int) Identity {
		node := fmt.Sprintf("video%d", index)
		id := Identity{Node: node}
		c, err := v4l2.QueryCap(filepath.Join("/dev", node))
		if err != nil {
			id.Err = err.Error()
			return id
		}
		id.Driver, id.Card, id.Bus = c.Driver, c.Card, c.BusInfo
		if u, ok := v4l2.SysfsUSB(sysRoot, node); ok {
			id.USB = u.ID()
			id.USBName = strings.TrimSpace(u.Manufacturer + " " + u.Name)
		}
		return id
	}
}
