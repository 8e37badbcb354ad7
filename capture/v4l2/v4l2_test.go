package v4l2

import (
	"bufio"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readCaps reads testdata/querycap.tsv: struct v4l2_capability bytes by name.
func readCaps(t *testing.T) map[string][]byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "querycap.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]byte{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, hx, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		b, err := hex.DecodeString(hx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = b
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestParseCapability(t *testing.T) {
	raw := readCaps(t)
	for _, c := range []struct {
		name                 string
		driver, card, bus    string
		version              string
		capture, loopbackish bool // node captures; the device also outputs (a loopback)
	}{
		{"uvc-logitech-c525", "uvcvideo", "HD Webcam C525", "usb-0000:00:14.0-1", "6.8.12", true, false},
		// The card field is full (31 characters and the NUL): the driver's own truncation.
		{"uvc-lenovo-easycamera", "uvcvideo", "Lenovo EasyCamera: Lenovo EasyC", "usb-0000:00:1d.0-1.6", "5.15.0", true, false},
		// uvcvideo's second node carries metadata, not pictures.
		{"uvc-metadata-node", "uvcvideo", "Integrated Camera: Integrated C", "usb-0000:00:14.0-8", "6.1.0", false, false},
		{"v4l2loopback-default", "v4l2 loopback", "Dummy video device (0x0000)", "platform:v4l2loopback-000", "6.8.12", true, true},
		{"v4l2loopback-obs", "v4l2 loopback", "OBS Virtual Camera", "platform:v4l2loopback-010", "6.8.12", true, false},
		{"v4l2loopback-droidcam", "v4l2 loopback", "DroidCam", "platform:v4l2loopback-002", "6.1.0", true, false},
		{"v4l2loopback-renamed", "v4l2 loopback", "HD Webcam C525", "platform:v4l2loopback-000", "6.8.12", true, false},
		{"akvcam", "akvcam", "Virtual Camera", "platform:akvcam-0", "6.8.0", true, false},
		{"vivid", "vivid", "vivid", "platform:vivid-000", "6.8.12", true, false},
		// No NUL in the card field and terminal escapes in it: cut at the field, escapes replaced.
		{"hostile-unterminated", "uvcvideo", "Cam?[31mRED?AAAAAAAAAAAAAAAAAAAA", "usb-0000:00:14.0-2", "6.8.12", true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, ok := raw[c.name]
			if !ok {
				t.Fatalf("testdata has no %s", c.name)
			}
			got, err := ParseCapability(b)
			if err != nil {
				t.Fatal(err)
			}
			if got.Driver != c.driver || got.Card != c.card || got.BusInfo != c.bus || got.VersionString() != c.version {
				t.Errorf("got driver %q card %q bus %q version %s, want %q %q %q %s",
					got.Driver, got.Card, got.BusInfo, got.VersionString(), c.driver, c.card, c.bus, c.version)
			}
			if capture := got.NodeCaps()&CapVideoCapture != 0; capture != c.capture {
				t.Errorf("node captures %v, want %v (caps %#x devcaps %#x)", capture, c.capture, got.Caps, got.DevCaps)
			}
			if out := got.NodeCaps()&CapVideoOutput != 0; out != c.loopbackish {
				t.Errorf("node outputs %v, want %v", out, c.loopbackish)
			}
		})
	}
	if len(raw) != 10 {
		t.Errorf("testdata has %d structs, the table covers 10", len(raw))
	}
}

func TestParseCapabilityRejectsWrongSize(t *testing.T) {
	for _, n := range []int{0, 103, 105, 4096} {
		if _, err := ParseCapability(make([]byte, n)); err == nil {
			t.Errorf("%d bytes accepted", n)
		}
	}
}

// TestSysfsUSB builds the sysfs layout of a USB camera (class/video4linux/videoN/device → the
// USB interface, whose parent has idVendor and idProduct) and of a platform device.
func TestSysfsUSB(t *testing.T) {
	root := t.TempDir()
	mk := func(dir string, attrs map[string]string) {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		for k, v := range attrs {
			if err := os.WriteFile(filepath.Join(root, dir, k), []byte(v+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	link := func(node, target string) {
		d := filepath.Join(root, "class", "video4linux", node)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(root, target), filepath.Join(d, "device")); err != nil {
			t.Fatal(err)
		}
	}
	usbDev := "devices/pci0000:00/0000:00:14.0/usb1/1-1"
	mk(usbDev, map[string]string{"idVendor": "046D", "idProduct": "0826", "manufacturer": "Logitech", "product": "HD Webcam C525"})
	mk(usbDev+"/1-1:1.0", map[string]string{"bInterfaceClass": "0e"})
	link("video0", usbDev+"/1-1:1.0")
	mk("devices/platform/v4l2loopback.0", nil)
	link("video10", "devices/platform/v4l2loopback.0")
	bad := "devices/pci0000:00/0000:00:14.0/usb1/1-2"
	mk(bad, map[string]string{"idVendor": "zz\x1b", "idProduct": "0826"})
	mk(bad+"/1-2:1.0", nil)
	link("video4", bad+"/1-2:1.0")

	for _, c := range []struct {
		node string
		ok   bool
		id   string
		name string
	}{
		{"video0", true, "046d:0826", "HD Webcam C525"},
		{"video10", false, "", ""}, // v4l2loopback: a platform device, no USB ids
		{"video4", false, "", ""},  // ids that are not four hex digits are not believed
		{"video9", false, "", ""},  // no such node
	} {
		u, ok := SysfsUSB(root, c.node)
		if ok != c.ok || u.ID() != c.id || u.Name != c.name {
			t.Errorf("%s: got %+v %v, want id %q name %q ok %v", c.node, u, ok, c.id, c.name, c.ok)
		}
	}
}

// TestQueryCapNotAVideoDevice: a node that is not V4L2 answers the ioctl with an error, which
// QueryCap returns (this machine has no /dev/video*, so the ioctl path is tested this way).
func TestQueryCapNotAVideoDevice(t *testing.T) {
	for _, p := range []string{"/dev/null", filepath.Join(t.TempDir(), "video0")} {
		if c, err := QueryCap(p); err == nil {
			t.Errorf("%s: got %+v, want an error", p, c)
		}
	}
}
