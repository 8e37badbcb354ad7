package v4l2

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// vidiocQueryCap is VIDIOC_QUERYCAP = _IOR('V', 0, struct v4l2_capability).
const vidiocQueryCap = 2<<30 | CapabilitySize<<16 | 'V'<<8 | 0

// QueryCap asks the driver of the video device at path (e.g. /dev/video0) who it is. The device
// is opened non-blocking and read-only and closed again; nothing is streamed.
func QueryCap(path string) (Capability, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return Capability{}, fmt.Errorf("v4l2: open %s: %w", path, err)
	}
	defer unix.Close(fd)
	var raw [CapabilitySize]byte
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), vidiocQueryCap, uintptr(unsafe.Pointer(&raw[0]))); e != 0 {
		return Capability{}, fmt.Errorf("v4l2: VIDIOC_QUERYCAP %s: %w", path, e)
	}
	return ParseCapability(raw[:])
}
