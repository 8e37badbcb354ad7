package main

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

// Options says what to build from where.
type Options struct {
	// Root is the repository (sources are relative to it).
	Root string
	// Out receives the .deb files.
	Out string
	// Release is the Debian revision; "" takes FyneApp.toml's Build.
	Release string
	// Only builds one package ("kiosk" or "backoffice"); "" builds both.
	Only string
	// Resolve maps shared libraries to Debian packages; nil runs dpkg -S.
	Resolve func(ctx context.Context, libs []string) (map[string]string, error)
}

// Built is one package written.
type Built struct {
	Name    string
	Path    string
	Size    int64
	Depends []string
}

// packages are the nfpm configurations under packaging/, by short name.
var packages = []struct{ short, config string }{
	{"kiosk", "packaging/kiosk/nfpm.yaml"},
	{"backoffice", "packaging/backoffice/nfpm.yaml"},
}

// Build writes the packages Options asks for and returns them in order.
func Build(ctx context.Context, o Options) ([]Built, error) {
	if o.Only != "" && o.Only != "kiosk" && o.Only != "backoffice" {
		return nil, fmt.Errorf("-only %q: want kiosk or backoffice", o.Only)
	}
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return nil, err
	}
	app, err := readFyneApp(filepath.Join(root, "FyneApp.toml"))
	if err != nil {
		return nil, err
	}
	release := o.Release
	if release == "" {
		release = fmt.Sprint(app.Details.Build)
	}
	gen, err := os.MkdirTemp("", "ehraz-package-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(gen)
	if err := writeGenerated(root, gen, app); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	resolve := o.Resolve
	if resolve == nil {
		resolve = dpkgSearch
	}
	env := map[string]string{"VERSION": app.Details.Version, "RELEASE": release, "BUILD": gen}
	var out []Built
	for _, p := range packages {
		if o.Only != "" && o.Only != p.short {
			continue
		}
		b, err := buildOne(ctx, root, filepath.Join(root, p.config), env, o.Out, resolve)
		if err != nil {
			return out, fmt.Errorf("%s: %w", p.config, err)
		}
		out = append(out, b)
	}
	return out, nil
}

func buildOne(ctx context.Context, root, config string, env map[string]string, outDir string,
	resolve func(context.Context, []string) (map[string]string, error)) (Built, error) {
	cfg, err := nfpm.ParseFileWithEnvMapping(config, func(k string) string { return env[k] })
	if err != nil {
		return Built{}, err
	}
	info, err := cfg.Get("deb")
	if err != nil {
		return Built{}, err
	}
	if err := rebase(root, info); err != nil {
		return Built{}, err
	}
	elves, err := elfSources(info.Contents)
	if err != nil {
		return Built{}, err
	}
	deps, err := runtimeDepends(ctx, elves, resolve)
	if err != nil {
		return Built{}, err
	}
	info.Depends = mergeDepends(info.Depends, deps)
	if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
		return Built{}, err
	}
	path := filepath.Join(outDir, deb.Default.ConventionalFileName(info))
	f, err := os.Create(path)
	if err != nil {
		return Built{}, err
	}
	if err := deb.Default.Package(info, f); err != nil {
		f.Close()
		os.Remove(path)
		return Built{}, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return Built{}, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return Built{}, err
	}
	return Built{Name: info.Name, Path: path, Size: st.Size(), Depends: info.Depends}, nil
}

// rebase makes the configuration's relative source paths relative to root, and checks that
// every source exists, naming the make target that prepares the usual missing ones.
func rebase(root string, info *nfpm.Info) error {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(root, p)
	}
	var missing []string
	for _, c := range info.Contents {
		if c.Type == files.TypeSymlink {
			continue
		}
		c.Source = abs(c.Source)
		if _, err := os.Stat(c.Source); err != nil {
			missing = append(missing, c.Source)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing %s (run `make build` for bin/, `make setup` for models/, assets/fonts and .cache/geoip)",
			strings.Join(missing, ", "))
	}
	s := &info.Scripts
	s.PostInstall, s.PreInstall, s.PreRemove, s.PostRemove = abs(s.PostInstall), abs(s.PreInstall), abs(s.PreRemove), abs(s.PostRemove)
	info.Deb.Scripts.Config, info.Deb.Scripts.Templates = abs(info.Deb.Scripts.Config), abs(info.Deb.Scripts.Templates)
	return nil
}

// elfSources lists the ELF files (programs and shared libraries) among the contents, folders
// included, whose libraries the package must depend on.
func elfSources(contents files.Contents) ([]string, error) {
	var out []string
	for _, c := range contents {
		if c.Type == files.TypeSymlink || c.Source == "" {
			continue
		}
		err := filepath.WalkDir(c.Source, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if isELF(path) {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func isELF(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

func joinDeps(d []string) string { return strings.Join(d, ", ") }

var errNoLibrary = errors.New("shared library not found")
