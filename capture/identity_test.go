package capture

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/capture/framestats"
	"github.com/ehraz/ehraz/domain/problem"
	"github.com/ehraz/ehraz/locales"
)

var (
	uvcC525   = Identity{Node: "video0", Driver: "uvcvideo", Card: "HD Webcam C525", Bus: "usb-0000:00:14.0-1", USB: "046d:0826"}
	uvcLaptop = Identity{Node: "video0", Driver: "uvcvideo", Card: "Integrated Camera: Integrated C", Bus: "usb-0000:00:14.0-8", USB: "04f2:b6dd"}
	// v4l2loopback's real answers (v4l2loopback.c vidioc_querycap): the driver name has a space.
	loopDefault = Identity{Node: "video10", Driver: "v4l2 loopback", Card: "Dummy video device (0x0000)", Bus: "platform:v4l2loopback-000"}
	loopOBS     = Identity{Node: "video10", Driver: "v4l2 loopback", Card: "OBS Virtual Camera", Bus: "platform:v4l2loopback-010"}
	// an attacker's loopback named like the brokerage's camera: the driver still gives it away
	loopRenamed = Identity{Node: "video0", Driver: "v4l2 loopback", Card: "HD Webcam C525", Bus: "platform:v4l2loopback-000"}
	droidcam    = Identity{Node: "video2", Driver: "v4l2 loopback", Card: "DroidCam", Bus: "platform:v4l2loopback-002"}
	akvcam      = Identity{Node: "video3", Driver: "akvcam", Card: "Virtual Camera", Bus: "platform:akvcam-0"}
	hdmiDongle  = Identity{Node: "video0", Driver: "uvcvideo", Card: "USB Video: USB Video", Bus: "usb-0000:00:14.0-3", USB: "534d:2109"}
	unknown     = Identity{Node: "video0", Err: "v4l2: VIDIOC_QUERYCAP /dev/video0: inappropriate ioctl for device"}
)

func TestPolicyCheck(t *testing.T) {
	for _, c := range []struct {
		name   string
		policy Policy
		id     Identity
		ok     bool
		rule   string
	}{
		{"real USB webcam, default policy", Policy{}, uvcC525, true, ""},
		{"laptop camera, default policy", Policy{}, uvcLaptop, true, ""},
		{"v4l2loopback", Policy{}, loopDefault, false, "deny driver:v4l2 loopback"},
		{"OBS virtual camera", Policy{}, loopOBS, false, "deny driver:v4l2 loopback"},
		{"loopback renamed as a real camera", Policy{}, loopRenamed, false, "deny driver:v4l2 loopback"},
		{"DroidCam", Policy{}, droidcam, false, "deny driver:v4l2 loopback"},
		{"akvcam", Policy{}, akvcam, false, "deny driver:akvcam"},
		{"HDMI capture dongle", Policy{}, hdmiDongle, false, "deny usb:534d:2109"},
		{"unknown identity without allow-list", Policy{}, unknown, true, ""},
		{"unknown identity with allow-list", Policy{Allow: []string{"usb:*"}}, unknown, false, "no allow rule matched"},
		{"allow any USB camera", Policy{Allow: []string{"usb:*"}}, uvcLaptop, true, "allow usb:*"},
		{"allow any USB: loopback has no USB ids", Policy{Allow: []string{"usb:*"}}, loopRenamed, false, "deny driver:v4l2 loopback"},
		{"allow one model", Policy{Allow: []string{"usb:046D:0826"}}, uvcC525, true, "allow usb:046D:0826"},
		{"allow one model, another camera", Policy{Allow: []string{"usb:046d:0826"}}, uvcLaptop, false, "no allow rule matched"},
		{"allow one vendor", Policy{Allow: []string{"usb:046d:*"}}, uvcC525, true, "allow usb:046d:*"},
		{"deny wins over allow", Policy{Allow: []string{"card:OBS"}}, loopOBS, false, "deny driver:v4l2 loopback"},
		{"configured deny by card", Policy{Deny: []string{"card:Integrated Camera"}}, uvcLaptop, false, "deny card:Integrated Camera"},
		{"a broken rule matches nothing", Policy{Deny: []string{"colour:red"}}, uvcC525, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.policy.Check(c.id)
			if got.Allowed != c.ok || got.Rule != c.rule {
				t.Errorf("allowed %v rule %q, want %v %q", got.Allowed, got.Rule, c.ok, c.rule)
			}
		})
	}
}

func TestValidateRule(t *testing.T) {
	for _, c := range []struct {
		rule string
		ok   bool
	}{
		{"driver:v4l2 loopback", true}, {"card:OBS Virtual Camera", true}, {"bus:platform:", true},
		{"usb:*", true}, {"usb:046d:0826", true}, {"usb:046D:*", true},
		{"usb:046d", false}, {"usb:46d:826", false}, {"usb:*:0826", false}, {"usb:zzzz:0826", false},
		{"driver:", false}, {"v4l2loopback", false}, {"serial:123", false},
	} {
		if err := ValidateRule(c.rule); (err == nil) != c.ok {
			t.Errorf("%q: err %v, want ok %v", c.rule, err, c.ok)
		}
	}
	if _, err := NewPolicy([]string{"usb:046d:0826"}, []string{"card:ok", "colour:red"}); err == nil {
		t.Error("NewPolicy accepted a broken rule")
	}
	if p, err := NewPolicy([]string{"usb:046d:*"}, []string{"card:Integrated"}); err != nil || len(p.Allow) != 1 || len(p.Deny) != 1 {
		t.Errorf("NewPolicy: %+v %v", p, err)
	}
	for _, r := range DefaultDeny {
		if err := ValidateRule(r); err != nil {
			t.Errorf("default rule: %v", err)
		}
	}
}

// TestRefusedWebcam: a refused camera is never opened; its Read says why with the locale key
// the screen shows, and an allowed camera plugged in instead is used.
func TestRefusedWebcam(t *testing.T) {
	b := &fakeBackend{present: true}
	id := loopDefault
	cfg := Config{Source: "webcam", Backend: b, Identify: func(int) Identity { return id }}
	src, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	cam := src.(*Webcam)
	cam.SetBackoff(0, 0)
	_, err = cam.Read(context.Background())
	if !errors.Is(err, ErrRefused) || errors.Is(err, ErrDisconnected) {
		t.Fatalf("read: %v, want ErrRefused", err)
	}
	if p, ok := problem.As(err); !ok || p.Key != ReasonRefused {
		t.Errorf("read error %v does not carry %s", err, ReasonRefused)
	}
	if !strings.Contains(err.Error(), `driver="v4l2 loopback"`) {
		t.Errorf("log line %q does not name the driver", err)
	}
	if b.openCount() != 0 {
		t.Errorf("the refused camera was opened %d times", b.openCount())
	}
	if d := cam.Info().Device; d == nil || d.Allowed || d.Driver != "v4l2 loopback" {
		t.Errorf("info device %+v", d)
	}
	id = uvcC525 // the real camera plugged in instead
	if _, err := cam.Read(context.Background()); err != nil {
		t.Fatalf("read after swap: %v", err)
	}
	if d := cam.Info().Device; d == nil || !d.Allowed || d.USB != "046d:0826" {
		t.Errorf("info device after swap %+v", d)
	}
}

// TestCameraKeysHaveText: every reason key the camera check and a refused camera can show has
// text in every language.
func TestCameraKeysHaveText(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{ReasonRefused: true, reasonNotWebcam: true, reasonUnknownDevice: true, reasonRefused: true, reasonAllowed: true,
		"verdict.camera.frames.unmeasured": true, "verdict.camera.blockiness.info": true}
	for _, cue := range []string{"timing", "repeats", "noise", "frozen"} {
		for _, s := range []framestats.Status{framestats.OK, framestats.Suspect} {
			keys[fmt.Sprintf("verdict.camera.%s.%s", cue, s)] = true
		}
	}
	keys["verdict.camera.noise.unmeasured"], keys["verdict.camera.frozen.unmeasured"] = true, true
	if m := cat.Missing(keys); len(m) > 0 {
		t.Errorf("missing: %v", m)
	}
}
