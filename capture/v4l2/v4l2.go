// Package v4l2 identifies a Linux video device: the driver, card and bus names its driver
// reports to VIDIOC_QUERYCAP, and the USB vendor and product ids sysfs shows for the device
// behind it. The kiosk decides from them whether a camera is a real one it may use (a virtual
// camera such as v4l2loopback names itself here). Pure Go: the ioctl goes through x/sys/unix.
package v4l2

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CapabilitySize is the size of struct v4l2_capability (linux/videodev2.h): driver[16],
// card[32], bus_info[32], version, capabilities, device_caps, reserved[3].
const CapabilitySize = 104

// Capability is what a driver answers to VIDIOC_QUERYCAP.
type Capability struct {
	Driver  string // kernel module, e.g. "uvcvideo"; v4l2loopback answers "v4l2 loopback"
	Card    string // device name, e.g. "HD Webcam C525"; a loopback device's card_label
	BusInfo string // e.g. "usb-0000:00:14.0-1", "platform:v4l2loopback-000"
	Version uint32 // kernel version the driver was built with (KERNEL_VERSION)
	Caps    uint32 // capabilities of the whole physical device
	DevCaps uint32 // capabilities of this node (valid when Caps has CapDeviceCaps)
}

// Capability flags used here (linux/videodev2.h).
const (
	CapVideoCapture = 0x00000001
	CapVideoOutput  = 0x00000002
	CapVideoM2M     = 0x00008000
	CapReadWrite    = 0x01000000
	CapStreaming    = 0x04000000
	CapDeviceCaps   = 0x80000000
)

// ParseCapability decodes a struct v4l2_capability as the kernel wrote it (little-endian, the
// byte order of every machine the kiosk runs on). The strings are NUL-terminated within their
// fields; bytes that are not printable are replaced so a hostile driver cannot put control
// characters into logs or screens.
func ParseCapability(b []byte) (Capability, error) {
	if len(b) != CapabilitySize {
		return Capability{}, fmt.Errorf("v4l2: capability is %d bytes, want %d", len(b), CapabilitySize)
	}
	le := binary.LittleEndian
	return Capability{
		Driver:  cString(b[0:16]),
		Card:    cString(b[16:48]),
		BusInfo: cString(b[48:80]),
		Version: le.Uint32(b[80:84]),
		Caps:    le.Uint32(b[84:88]),
		DevCaps: le.Uint32(b[88:92]),
	}, nil
}

// NodeCaps are the capabilities of this device node: DevCaps when the driver reports them.
func (c Capability) NodeCaps() uint32 {
	if c.Caps&CapDeviceCaps != 0 {
		return c.DevCaps
	}
	return c.Caps
}

// VersionString is the driver's version as major.minor.patch.
func (c Capability) VersionString() string {
	return fmt.Sprintf("%d.%d.%d", c.Version>>16&0xff, c.Version>>8&0xff, c.Version&0xff)
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return printable(string(b))
}

// printable keeps printable ASCII and valid non-control runes; anything else becomes '?'.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xfffd || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, strings.TrimSpace(s))
}

// USB is the USB device a video node belongs to, from sysfs.
type USB struct {
	Vendor       string // idVendor, four hex digits, e.g. "046d"
	Product      string // idProduct, e.g. "0826"
	Manufacturer string // the device's own strings (may be empty)
	Name         string
}

// ID is "vendor:product", or "" when there is no USB device.
func (u USB) ID() string {
	if u.Vendor == "" {
		return ""
	}
	return u.Vendor + ":" + u.Product
}

// SysfsUSB finds the USB device behind /dev/<node> under the sysfs root (normally "/sys"):
// class/video4linux/<node>/device is the USB interface, its parent directory the device with
// idVendor and idProduct. ok is false when the node is not a USB device (a virtual camera is a
// platform device with no USB ids) or sysfs does not show it.
func SysfsUSB(root, node string) (u USB, ok bool) {
	dev, err := filepath.EvalSymlinks(filepath.Join(root, "class", "video4linux", node, "device"))
	if err != nil {
		return USB{}, false
	}
	// The interface (…/1-1:1.0) or, for some drivers, the device itself: look a few levels up.
	for d, i := dev, 0; i < 3 && d != "/" && d != "."; d, i = filepath.Dir(d), i+1 {
		v, err := readAttr(filepath.Join(d, "idVendor"))
		if err != nil {
			continue
		}
		p, err := readAttr(filepath.Join(d, "idProduct"))
		if err != nil || !HexID(v) || !HexID(p) {
			return USB{}, false
		}
		m, _ := readAttr(filepath.Join(d, "manufacturer")) // optional strings
		n, _ := readAttr(filepath.Join(d, "product"))
		return USB{Vendor: strings.ToLower(v), Product: strings.ToLower(p), Manufacturer: m, Name: n}, true
	}
	return USB{}, false
}

// readAttr reads a small sysfs attribute (at most 256 bytes; a device's strings are shorter).
func readAttr(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, 256)
	n, err := f.Read(buf)
	if n == 0 && err != nil {
		return "", err
	}
	return printable(string(buf[:n])), nil
}

// HexID reports whether s is a USB vendor or product id as sysfs and lsusb write it: four hex
// digits.
func HexID(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, r := range strings.ToLower(s) {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
