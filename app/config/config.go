// Package config is the kiosk's configuration: embedded defaults that make `make run` work on
// one machine, overridden by an optional TOML file and a few environment variables.
// Each area owns its section; secrets (keys, API keys) come from files or the environment.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/ehraz/ehraz/app/services"
)

// Config is the whole configuration.
type Config struct {
	// DataDir holds the SQLite database, encrypted media and keys.
	DataDir string `toml:"data_dir"`
	// Language is the UI language, "fa" (default) or "en".
	Language string `toml:"language"`
	// Mode is "kiosk" (in-branch, on the brokerage network) or "online".
	Mode string `toml:"mode"`
	// KioskID names this kiosk in audit records and rate limits.
	KioskID string `toml:"kiosk_id"`

	Session  Session  `toml:"session"`
	Plugins  Plugins  `toml:"plugins"`
	Camera   Camera   `toml:"camera"`
	Operator Operator `toml:"operator"`
	// Services configures SMS, OTP, SEJAM/registry (or their simulator), geo-IP, eligibility and
	// the dossier intake; the embedded default is the demo set-up (see services.Demo).
	Services services.Config `toml:"services"`
}

// Session holds the flow's timing rules.
type Session struct {
	IdleTimeout     Duration `toml:"idle_timeout"`
	IdleWarning     Duration `toml:"idle_warning"`
	RetainFinished  Duration `toml:"retain_finished"`
	RetainAbandoned Duration `toml:"retain_abandoned"`
	// DressCodeReview marks every selfie for a human dress-code (hijab) check: the product text
	// requires it and no algorithm may silently accept or reject it.
	DressCodeReview bool `toml:"dress_code_review"`
}

// Plugins says where detector plugins live.
type Plugins struct {
	Dir         string   `toml:"dir"`
	CallTimeout Duration `toml:"call_timeout"`
}

// Camera chooses the capture source: "auto" (webcam if present, else demo), "webcam", "file", "demo".
type Camera struct {
	Source string `toml:"source"`
	Device int    `toml:"device"`
	File   string `toml:"file"`
	Width  int    `toml:"width"`
	Height int    `toml:"height"`
	FPS    int    `toml:"fps"`
}

// Operator holds the operator mode's PIN hash (never the PIN itself).
type Operator struct {
	PINHash string `toml:"pin_hash"`
}

// Duration is a time.Duration written as "90s", "15m" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: %w", b, err)
	}
	d.Duration = v
	return nil
}

// MarshalText writes a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Default is the embedded configuration used by `make run`.
func Default() Config {
	return Config{
		DataDir:  "var",
		Language: "fa",
		Mode:     "kiosk",
		KioskID:  "kiosk-1",
		Session: Session{
			IdleTimeout:     Duration{3 * time.Minute},
			IdleWarning:     Duration{30 * time.Second},
			RetainFinished:  Duration{30 * 24 * time.Hour},
			RetainAbandoned: Duration{24 * time.Hour},
			DressCodeReview: true,
		},
		Plugins:  Plugins{Dir: "bin/plugins", CallTimeout: Duration{10 * time.Second}},
		Camera:   Camera{Source: "auto", Width: 640, Height: 480, FPS: 15},
		Services: services.Demo(),
	}
}

// Load returns the defaults overridden by the TOML file at path (if path is not empty) and by
// EHRAZ_DATA_DIR and EHRAZ_LANG.
func Load(path string) (Config, error) {
	c := Default()
	if path != "" {
		if _, err := toml.DecodeFile(path, &c); err != nil {
			return c, fmt.Errorf("read config %s: %w", path, err)
		}
	}
	if v := os.Getenv("EHRAZ_DATA_DIR"); v != "" {
		c.DataDir = v
	}
	if v := os.Getenv("EHRAZ_LANG"); v != "" {
		c.Language = v
	}
	return c, c.Validate()
}

// Validate rejects configurations the kiosk cannot run with.
func (c Config) Validate() error {
	if c.Language != "fa" && c.Language != "en" {
		return fmt.Errorf("config: language %q: want fa or en", c.Language)
	}
	if c.Mode != "kiosk" && c.Mode != "online" {
		return fmt.Errorf("config: mode %q: want kiosk or online", c.Mode)
	}
	if c.DataDir == "" {
		return fmt.Errorf("config: data_dir is empty")
	}
	return nil
}

// Path joins a file name onto the data directory.
func (c Config) Path(name string) string { return filepath.Join(c.DataDir, name) }
