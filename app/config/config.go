// Package config is the kiosk's configuration: embedded defaults that make `make run` work on
// one machine, overridden by an optional TOML file and a few environment variables.
// Each area owns its section; secrets (keys, API keys) come from files or the environment.
// It is a leaf: it imports no other package of the module. Everything a default depends on
// (where the shared data is) is resolved here, once, and handed down by the wiring (app/kiosk).
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/BurntSushi/toml"
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
	// Shared is the team's shared data folder (demo photos for the camera and the simulator's
	// registry photos, under testdata/faces). Load resolves it (see ResolveShared); every part of
	// the kiosk uses this one value.
	Shared string `toml:"shared"`
	// Fonts is the folder holding Vazirmatn (fetched by `make ui-fonts`). Load resolves it (see
	// ResolveFonts), so the kiosk started from any folder finds the repository's fonts.
	Fonts string `toml:"fonts"`

	Session  Session  `toml:"session"`
	Plugins  Plugins  `toml:"plugins"`
	Camera   Camera   `toml:"camera"`
	Operator Operator `toml:"operator"`
	// Brokerage is who runs the kiosk, for the applicant's contact screen.
	Brokerage Brokerage `toml:"brokerage"`
	// Face is the brokerage's face-match policy, in false-match-rate terms.
	Face Face `toml:"face"`
	// Services configures SMS, OTP, SEJAM/registry (or their simulator), geo-IP, eligibility and
	// the dossier intake; the embedded default is the demo set-up (see DemoServices).
	Services Services `toml:"services"`
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
	// PersonLock is how long a person stays locked out after one of their sessions was locked
	// for too many wrong codes, serials or captures (keyed hashes of the national code and
	// mobile are kept, never the values).
	PersonLock Duration `toml:"person_lock"`
}

// Plugins says where detector plugins live and whom they are trusted from.
type Plugins struct {
	Dir         string   `toml:"dir"`
	CallTimeout Duration `toml:"call_timeout"`
	// TrustedKeys are Ed25519 public keys (PEM files; a bare file name is looked up in
	// <data_dir>/keys) one of which must have signed each plugin's manifest. Empty accepts
	// SHA-256-pinned manifests unsigned, reported as not enforced.
	TrustedKeys []string `toml:"trusted_keys"`
	// SandboxUser, when set, is the one unprivileged user every plugin runs as when the kiosk
	// runs as root (a name, or a number used as uid and gid); unset, each has its own uid.
	SandboxUser string `toml:"sandbox_user"`
	// SandboxUIDs is the range "first-last" a root kiosk gives each plugin a uid of its own
	// from, when SandboxUser is unset (default 65600-65699; detect.SandboxConfig.UIDs).
	SandboxUIDs string `toml:"sandbox_uids"`
	// SandboxFilesystem is the plugins' file-system confinement: auto (default: Landlock where
	// the kernel has it, else a mount namespace), landlock, mountns or both.
	SandboxFilesystem string `toml:"sandbox_filesystem"`
}

// Camera chooses the capture source: "auto" (webcam if present, else demo), "webcam", "file", "demo".
type Camera struct {
	Source string `toml:"source"`
	Device int    `toml:"device"`
	File   string `toml:"file"`
	Width  int    `toml:"width"`
	Height int    `toml:"height"`
	FPS    int    `toml:"fps"`
	// Allow and Deny decide which webcams the kiosk uses, from the identity the driver and sysfs
	// report (package capture, Policy). A rule is "driver:…", "card:…" or "bus:…" (matched
	// without regard to case as a part of the name) or "usb:vvvv:pppp" ("usb:vvvv:*", "usb:*").
	// Deny adds to the built-in list of virtual cameras and HDMI capture dongles, which always
	// applies; a non-empty Allow accepts only the cameras it names (e.g. the brokerage's model).
	Allow []string `toml:"allow"`
	Deny  []string `toml:"deny"`
}

// Operator holds the operator mode's PIN hash (never the PIN itself).
type Operator struct {
	PINHash string `toml:"pin_hash"`
}

// Brokerage is [brokerage]: the brokerage's name, address, phone and opening hours shown on the
// kiosk's contact screen. The _en forms are shown on the English screens; an empty one falls
// back to the Persian text.
type Brokerage struct {
	Name      string `toml:"name"`
	NameEn    string `toml:"name_en"`
	Address   string `toml:"address"`
	AddressEn string `toml:"address_en"`
	Phone     string `toml:"phone"`
	Hours     string `toml:"hours"`
	HoursEn   string `toml:"hours_en"`
}

// Face is [face]: how the kiosk decides a face match from the face plugin's calibrated estimate
// of the false-match rate (the share of different people who would match this closely). At or
// under pass_fmr the match passes, above fail_fmr it fails, in between an operator reviews. The
// defaults (0.05, 0.95) and where they fall short are explained in the README, "Face matching".
//
// fused_pass_fmr is the pass limit when the registry match is decided on the median of three or
// more good pictures (the selfie and the video's keyframes, README "More evidence per decision");
// 0 turns that off: every selfie's registry match is then decided on the selfie alone.
type Face struct {
	PassFMR      float64 `toml:"pass_fmr"`
	FailFMR      float64 `toml:"fail_fmr"`
	FusedPassFMR float64 `toml:"fused_pass_fmr"`
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
			PersonLock:      Duration{time.Hour},
			DressCodeReview: true,
		},
		// The development key `make build` makes (mk/plugins.mk) signs the reference plugins.
		Plugins: Plugins{Dir: "bin/plugins", CallTimeout: Duration{10 * time.Second}, TrustedKeys: []string{"plugin-signing.pub"}},
		Camera:  Camera{Source: "auto", Width: 640, Height: 480, FPS: 15},
		// A demo kiosk says plainly that its contact details are placeholders.
		Brokerage: Brokerage{
			Name: "کارگزاری نمونه (نشانی نمایشی؛ در [brokerage] تنظیم کنید)", NameEn: "Sample Brokerage (demo details; set [brokerage])",
			Address: "تهران، خیابان نمونه، پلاک ۱", AddressEn: "1 Sample Street, Tehran",
			Phone: "021-00000000",
			Hours: "شنبه تا چهارشنبه، ساعت ۸ تا ۱۶", HoursEn: "Saturday to Wednesday, 8:00 to 16:00",
		},
		Services: DemoServices(),
		Face:     Face{PassFMR: 0.05, FailFMR: 0.95, FusedPassFMR: 0.2},
	}
}

// Load returns the defaults overridden by the TOML file at path (if path is not empty) and by
// EHRAZ_DATA_DIR and EHRAZ_LANG, with the shared folder resolved (ResolveShared).
func Load(path string) (Config, error) {
	c := Default()
	if path != "" {
		// [brokerage] is taken whole from a file that has it: a demo placeholder must never
		// stand beside a real brokerage's name (the English forms fall back to the Persian).
		demo := c.Brokerage
		c.Brokerage = Brokerage{}
		md, err := toml.DecodeFile(path, &c)
		if err != nil {
			return c, fmt.Errorf("read config %s: %w", path, err)
		}
		if !md.IsDefined("brokerage") {
			c.Brokerage = demo
		}
	}
	if v := os.Getenv("EHRAZ_DATA_DIR"); v != "" {
		c.DataDir = v
	}
	if v := os.Getenv("EHRAZ_LANG"); v != "" {
		c.Language = v
	}
	c.Shared = ResolveShared(c.Shared, os.Getenv, workDir(), executable())
	c.Fonts = ResolveFonts(c.Fonts, os.Getenv, workDir(), executable())
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
	if f := c.Face; !(f.PassFMR >= 0 && f.FailFMR > 0 && f.FailFMR <= 1 && f.PassFMR <= f.FailFMR) {
		return fmt.Errorf("config: [face] pass_fmr %v and fail_fmr %v: want 0 ≤ pass_fmr ≤ fail_fmr ≤ 1 and fail_fmr > 0", f.PassFMR, f.FailFMR)
	}
	if f := c.Face; !(f.FusedPassFMR >= 0 && f.FusedPassFMR <= f.FailFMR) {
		return fmt.Errorf("config: [face] fused_pass_fmr %v: want 0 ≤ fused_pass_fmr ≤ fail_fmr (%v)", f.FusedPassFMR, f.FailFMR)
	}
	return nil
}

// Path joins a file name onto the data directory.
func (c Config) Path(name string) string { return filepath.Join(c.DataDir, name) }

// SharedSubdir is where the demo's and the simulator's face photos are under the shared folder.
const SharedSubdir = "testdata/faces"

// Faces is the shared folder's face photos ("" when no shared folder was found).
func (c Config) Faces() string {
	if c.Shared == "" {
		return ""
	}
	return filepath.Join(c.Shared, filepath.FromSlash(SharedSubdir))
}

// ResolveShared decides where the shared data folder is, the same way for every part of the
// kiosk: $EHRAZ_SHARED, else $SHARED, else the configured value, else the folder "shared" beside
// the repository that holds the working directory or, failing that, the executable (the
// repository is the first folder upwards with a go.mod: `make run` and `./bin/ehraz` from the
// repository, or /path/to/repo/bin/ehraz started from anywhere, find the same folder). It
// returns "" when none of these exists.
func ResolveShared(configured string, getenv func(string) string, wd, exe string) string {
	for _, env := range []string{"EHRAZ_SHARED", "SHARED"} {
		if v := getenv(env); v != "" {
			return v
		}
	}
	if configured != "" {
		return configured
	}
	return besideRepo(wd, exe, func(root string) string { return filepath.Join(filepath.Dir(root), "shared") })
}

// ResolveFonts decides where the fonts are: $EHRAZ_FONTS, else the configured folder, else
// assets/fonts in the repository that holds the working directory or, failing that, the
// executable (the same repository rule as ResolveShared); "assets/fonts" when none exists, so
// the error names the usual place.
func ResolveFonts(configured string, getenv func(string) string, wd, exe string) string {
	if v := getenv("EHRAZ_FONTS"); v != "" {
		return v
	}
	if configured != "" {
		return configured
	}
	if dir := besideRepo(wd, exe, func(root string) string { return filepath.Join(root, "assets", "fonts") }); dir != "" {
		return dir
	}
	return filepath.Join("assets", "fonts")
}

// SharedDir is ResolveShared from the environment, the working directory and the executable,
// for programs that have no configuration file of their own (ehrazctl sim serve).
func SharedDir() string { return ResolveShared("", os.Getenv, workDir(), executable()) }

// besideRepo returns place(root) for the repository (see repoRoot) holding wd or, failing that,
// the executable, when that folder exists; "" otherwise.
func besideRepo(wd, exe string, place func(root string) string) string {
	starts := []string{wd}
	if exe != "" {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, start := range starts {
		if start == "" {
			continue
		}
		if root := repoRoot(start); root != "" {
			dir := place(root)
			if st, err := os.Stat(dir); err == nil && st.IsDir() {
				return dir
			}
		}
	}
	return ""
}

// repoRoot is the first folder from dir upwards holding a go.mod, or "".
func repoRoot(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func workDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	return wd
}

func executable() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		return real
	}
	return exe
}
