package config

import (
	"os"
	"path/filepath"
	"testing"
)

// layout makes <tmp>/repo (with go.mod and bin/ehraz) and, when withShared, <tmp>/shared.
func layout(t *testing.T, withShared bool) (repo, shared, exe string) {
	t.Helper()
	tmp := t.TempDir()
	repo = filepath.Join(tmp, "repo")
	shared = filepath.Join(tmp, "shared")
	exe = filepath.Join(repo, "bin", "ehraz")
	must(t, os.MkdirAll(filepath.Dir(exe), 0o755))
	must(t, os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module x\n"), 0o644))
	must(t, os.WriteFile(exe, nil, 0o755))
	if withShared {
		must(t, os.MkdirAll(filepath.Join(shared, "testdata", "faces"), 0o755))
	}
	return repo, shared, exe
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestResolveShared(t *testing.T) {
	repo, shared, exe := layout(t, true)
	elsewhere := t.TempDir() // a working directory outside any repository
	_, _, bareExe := layout(t, false)
	tests := []struct {
		name, configured string
		env              map[string]string
		wd, exe          string
		want             string
	}{
		{"EHRAZ_SHARED first", "/cfg", map[string]string{"EHRAZ_SHARED": "/a", "SHARED": "/b"}, repo, exe, "/a"},
		{"then SHARED", "/cfg", map[string]string{"SHARED": "/b"}, repo, exe, "/b"},
		{"then the configuration", "/cfg", nil, repo, exe, "/cfg"},
		{"beside the working directory's repository", "", nil, filepath.Join(repo, "bin"), "", shared},
		// ./bin/ehraz started outside `make run`, from anywhere: the executable's repository.
		{"beside the executable's repository", "", nil, elsewhere, exe, shared},
		{"none found", "", nil, elsewhere, bareExe, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ResolveShared(tc.configured, env(tc.env), tc.wd, tc.exe); got != tc.want {
				t.Errorf("ResolveShared = %q, want %q", got, tc.want)
			}
		})
	}
}

// The fonts are found in the repository of the working directory or of the executable, so the
// kiosk started from another folder still draws Persian text.
func TestResolveFonts(t *testing.T) {
	repo, _, exe := layout(t, true)
	fonts := filepath.Join(repo, "assets", "fonts")
	if err := os.MkdirAll(fonts, 0o755); err != nil {
		t.Fatal(err)
	}
	elsewhere := t.TempDir()
	for _, tc := range []struct {
		name, configured string
		env              map[string]string
		wd, exe, want    string
	}{
		{"EHRAZ_FONTS first", "/cfg", map[string]string{"EHRAZ_FONTS": "/f"}, repo, exe, "/f"},
		{"then the configuration", "/cfg", nil, repo, exe, "/cfg"},
		{"the working directory's repository", "", nil, filepath.Join(repo, "bin"), "", fonts},
		{"the executable's repository", "", nil, elsewhere, exe, fonts},
		{"none found: the usual relative place", "", nil, elsewhere, "", filepath.Join("assets", "fonts")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ResolveFonts(tc.configured, env(tc.env), tc.wd, tc.exe); got != tc.want {
				t.Errorf("ResolveFonts = %q, want %q", got, tc.want)
			}
		})
	}
}

// Load resolves the shared folder once, and the camera and the simulator read the same value.
func TestLoadResolvesSharedOnce(t *testing.T) {
	t.Setenv("EHRAZ_SHARED", "")
	t.Setenv("SHARED", "/team/shared")
	t.Setenv("EHRAZ_DATA_DIR", "")
	t.Setenv("EHRAZ_LANG", "")
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if c.Shared != "/team/shared" || c.Faces() != filepath.Join("/team/shared", "testdata", "faces") {
		t.Errorf("shared %q faces %q", c.Shared, c.Faces())
	}
	if (Config{}).Faces() != "" {
		t.Error("no shared folder must give no faces folder")
	}
}

func TestLoadFile(t *testing.T) {
	t.Setenv("EHRAZ_DATA_DIR", "")
	t.Setenv("EHRAZ_LANG", "")
	path := filepath.Join(t.TempDir(), "kiosk.toml")
	must(t, os.WriteFile(path, []byte(`
language = "en"
[session]
idle_timeout = "90s"
[services.sms]
provider = "gateway"
template = "t-otp"
[services.otp]
digits = 8
per_kiosk = 9
[services.simulator]
enabled = false
[services.eligibility]
in_branch = false
allow_networks = ["10.0.0.0/8"]
min_age = 21
[services.intake]
embedded = false
url = "https://intake.example"
`), 0o600))
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Services
	if c.Language != "en" || c.Session.IdleTimeout.Minutes() != 1.5 || s.SMS.Provider != "gateway" || s.SMS.Template != "t-otp" ||
		s.OTP.Digits != 8 || s.OTP.PerKiosk != 9 || s.Simulator.Enabled || s.Eligibility.InBranch ||
		len(s.Eligibility.AllowNetworks) != 1 || s.Eligibility.MinAge != 21 || s.Intake.Embedded || s.Intake.URL != "https://intake.example" {
		t.Errorf("loaded %+v", c)
	}
	if d := Default().Services; d.SMS.Provider != "console" || !d.Simulator.Enabled || !d.Intake.Embedded || !d.Eligibility.InBranch {
		t.Errorf("default services are not the demo: %+v", d)
	}
	must(t, os.WriteFile(path, []byte(`language = "de"`), 0o600))
	if _, err := Load(path); err == nil {
		t.Error("language de accepted")
	}
}

func TestLoadBrokerage(t *testing.T) {
	t.Setenv("EHRAZ_DATA_DIR", "")
	t.Setenv("EHRAZ_LANG", "")
	path := filepath.Join(t.TempDir(), "kiosk.toml")
	must(t, os.WriteFile(path, []byte(`
[brokerage]
name = "کارگزاری آزمون"
address = "اصفهان"
phone = "031-12345678"
hours = "همه‌روزه"
`), 0o600))
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	b := c.Brokerage
	if b.Name != "کارگزاری آزمون" || b.Address != "اصفهان" || b.Phone != "031-12345678" || b.Hours != "همه‌روزه" {
		t.Errorf("brokerage %+v", b)
	}
	// A file's [brokerage] replaces the demo whole: no demo name beside a real one.
	if b.NameEn != "" || b.AddressEn != "" || b.HoursEn != "" {
		t.Errorf("demo English forms kept beside a configured brokerage: %+v", b)
	}
	must(t, os.WriteFile(path, []byte(`language = "en"`), 0o600))
	if c, err := Load(path); err != nil || c.Brokerage != Default().Brokerage {
		t.Errorf("a file without [brokerage] lost the demo details: %+v %v", c.Brokerage, err)
	}
	if d := Default().Brokerage; d.Name == "" || d.Phone == "" || d.Hours == "" || d.AddressEn == "" {
		t.Errorf("the demo brokerage is incomplete: %+v", d)
	}
}
