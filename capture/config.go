package capture

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
)

// Config chooses and sets up a source (the kiosk's [camera] section).
type Config struct {
	// Source is "auto" (a webcam when /dev/video<Device> opens, else the demo), "webcam", "file"
	// or "demo". Empty means "auto".
	Source string
	Device int    // webcam index (/dev/video<Device>)
	File   string // image (png, jpg) or video file for "file"
	Width  int    // requested frame size; 640×480 when zero
	Height int
	FPS    float64 // requested rate; 15 when zero
	// FaceDir holds the photos the demo source shows (people.tsv picks single-person ones);
	// empty means $SHARED/testdata/faces. A drawn face is used when it has none.
	FaceDir string
	// FaceLocator finds the face in the demo's photo so the demo can frame it; nil guesses a
	// portrait's usual face position.
	FaceLocator FaceLocator
	// Backend opens cameras and video files (package capture/cvcam, gocv). Nil leaves only the
	// demo and image-file sources: "auto" then picks the demo.
	Backend Backend
	// Policy decides which webcams may be used (DefaultDeny always applies); Identify says who
	// a webcam is (nil: SysIdentifier("/sys"), the V4L2 driver and sysfs).
	Policy   Policy
	Identify Identifier
	// Refused, when set, is told about a webcam the policy refused (for the log: the identity
	// holds no personal data), once per identity while it stays.
	Refused func(DeviceCheck)
}

// Backend opens real cameras and video files; it keeps cgo out of this package.
type Backend interface {
	// OpenDevice opens camera index with the requested size and rate.
	OpenDevice(ctx context.Context, index, width, height int, fps float64) (Device, error)
	// OpenVideo opens a video file; fps is the file's own rate (0 when unknown).
	OpenVideo(ctx context.Context, path string) (d Device, fps float64, err error)
}

// Device is an open camera or video file. It is used from one goroutine at a time.
type Device interface {
	// Grab returns the next picture; io.EOF at the end of a file, any other error when the
	// device failed (a pulled camera).
	Grab() (*image.RGBA, error)
	Close() error
}

func (c Config) withDefaults() Config {
	if c.Source == "" {
		c.Source = "auto"
	}
	if c.Width <= 0 || c.Height <= 0 {
		c.Width, c.Height = 640, 480
	}
	if c.FPS <= 0 {
		c.FPS = 15
	}
	if c.FaceDir == "" {
		c.FaceDir = filepath.Join(sharedDir(), "testdata", "faces")
	}
	return c
}

// sharedDir is $SHARED, else ../shared next to the working directory's repository.
func sharedDir() string {
	if s := os.Getenv("SHARED"); s != "" {
		return s
	}
	if s := os.Getenv("EHRAZ_SHARED"); s != "" {
		return s
	}
	wd, err := os.Getwd()
	if err != nil {
		return "../shared"
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(d), "shared")
		}
		if filepath.Dir(d) == d {
			return "../shared"
		}
	}
}

// Open starts the source cfg asks for. "webcam" succeeds even when the camera is absent: its Read
// then returns ErrDisconnected and keeps trying to reopen it, so a camera plugged in later works.
func Open(ctx context.Context, cfg Config) (Source, error) {
	cfg = cfg.withDefaults()
	switch strings.ToLower(cfg.Source) {
	case "demo":
		return NewDemo(cfg)
	case "file":
		return openFile(ctx, cfg)
	case "webcam":
		if cfg.Backend == nil {
			return nil, fmt.Errorf("capture: webcam source needs a camera backend")
		}
		return cfg.webcam(), nil
	case "auto":
		if cfg.Backend != nil && deviceExists(cfg.Device) {
			// A camera that is there but refused is kept (its Read says why), never replaced
			// by the demo: the kiosk must not quietly run on a synthetic camera.
			w := cfg.webcam()
			c := w.gate()
			w.info.Device = &c
			if !c.Allowed {
				return w, nil
			}
			d, err := cfg.Backend.OpenDevice(ctx, cfg.Device, cfg.Width, cfg.Height, cfg.FPS)
			if err == nil {
				w.dev = d
				return w, nil
			}
		}
		return NewDemo(cfg)
	default:
		return nil, fmt.Errorf("capture: unknown source %q (auto, webcam, file, demo)", cfg.Source)
	}
}

// webcam is the webcam source of c, asking the policy before every open.
func (c Config) webcam() *Webcam {
	w := NewWebcam(c.deviceOpener(), c.info())
	w.SetGate(c.gate())
	return w
}

// gate identifies the configured device and applies the policy.
func (c Config) gate() func() DeviceCheck {
	identify := c.Identify
	if identify == nil {
		identify = SysIdentifier("/sys")
	}
	var last string // the identity last reported refused
	return func() DeviceCheck {
		d := c.Policy.Check(identify(c.Device))
		if !d.Allowed && c.Refused != nil && d.Identity.String() != last {
			c.Refused(d)
		}
		if d.Allowed {
			last = ""
		} else {
			last = d.Identity.String()
		}
		return d
	}
}

func (c Config) info() Info {
	return Info{Kind: "webcam", Name: fmt.Sprintf("video%d", c.Device), Width: c.Width, Height: c.Height, FPS: c.FPS}
}

func (c Config) deviceOpener() Opener {
	return func(ctx context.Context) (Device, error) {
		return c.Backend.OpenDevice(ctx, c.Device, c.Width, c.Height, c.FPS)
	}
}

// deviceExists reports whether /dev/video<index> is present (opening a missing one through
// OpenCV only prints warnings).
func deviceExists(index int) bool {
	_, err := os.Stat(fmt.Sprintf("/dev/video%d", index))
	return err == nil
}

func openFile(ctx context.Context, cfg Config) (Source, error) {
	if cfg.File == "" {
		return nil, fmt.Errorf("capture: file source needs a file")
	}
	switch strings.ToLower(filepath.Ext(cfg.File)) {
	case ".png", ".jpg", ".jpeg":
		return NewStill(cfg.File, cfg.FPS)
	}
	if cfg.Backend == nil {
		return nil, fmt.Errorf("capture: video file %s needs a video backend", filepath.Base(cfg.File))
	}
	d, fps, err := cfg.Backend.OpenVideo(ctx, cfg.File)
	if err != nil {
		return nil, fmt.Errorf("capture: open video %s: %w", filepath.Base(cfg.File), err)
	}
	if fps <= 0 {
		fps = cfg.FPS
	}
	reopen := func(ctx context.Context) (Device, error) {
		d, _, err := cfg.Backend.OpenVideo(ctx, cfg.File)
		return d, err
	}
	return NewVideo(d, reopen, filepath.Base(cfg.File), fps), nil
}
