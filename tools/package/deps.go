package main

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// runtimeDepends returns the Debian packages shipping the shared libraries the ELF files need
// directly (their DT_NEEDED entries, as dpkg-shlibdeps reads them; those libraries' packages
// bring their own dependencies), sorted. ldd says where each one resolves on this machine. A
// library found nowhere, or in no package, is an error: the package would install and then
// fail to start. Libraries the package ships itself are skipped.
func runtimeDepends(ctx context.Context, elves []string, resolve func(context.Context, []string) (map[string]string, error)) ([]string, error) {
	shipped := map[string]bool{}
	for _, e := range elves {
		shipped[filepath.Base(e)] = true
	}
	libs := map[string]bool{}
	for _, e := range elves {
		needed, err := neededLibraries(e)
		if err != nil {
			return nil, err
		}
		if len(needed) == 0 { // static (the sandbox launcher): nothing to ask ldd
			continue
		}
		out, err := exec.CommandContext(ctx, "ldd", e).Output()
		if err != nil {
			return nil, fmt.Errorf("ldd %s: %w", e, err)
		}
		where := parseLdd(out)
		for _, n := range needed {
			if shipped[n] {
				continue
			}
			path := where[n]
			if path == "" {
				return nil, fmt.Errorf("%s needs %s, which is not installed (make setup installs the build's libraries)", e, n)
			}
			libs[path] = true
		}
	}
	if len(libs) == 0 {
		return nil, nil
	}
	list := make([]string, 0, len(libs))
	for l := range libs {
		list = append(list, l)
	}
	sort.Strings(list)
	owners, err := resolve(ctx, list)
	if err != nil {
		return nil, err
	}
	pkgs := map[string]bool{}
	var orphans []string
	for _, l := range list {
		if p := owners[l]; p != "" {
			pkgs[p] = true
		} else {
			orphans = append(orphans, l)
		}
	}
	if len(orphans) > 0 {
		return nil, fmt.Errorf("no Debian package ships %s", strings.Join(orphans, ", "))
	}
	out := make([]string, 0, len(pkgs))
	for p := range pkgs {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// neededLibraries is an ELF file's DT_NEEDED list.
func neededLibraries(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	libs, err := f.ImportedLibraries()
	if err != nil {
		return nil, fmt.Errorf("read %s's libraries: %w", path, err)
	}
	return libs, nil
}

// parseLdd reads ldd's output into library name → resolved path ("" for "not found"). The vDSO
// (no file) is skipped; the dynamic loader appears under its path.
func parseLdd(out []byte) map[string]string {
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		name, target, arrow := strings.Cut(line, " => ")
		if !arrow {
			// "/lib64/ld-linux-x86-64.so.2 (0x…)" or "linux-vdso.so.1 (0x…)"
			if f := strings.Fields(line); len(f) > 0 && filepath.IsAbs(f[0]) {
				m[filepath.Base(f[0])] = f[0]
			}
			continue
		}
		name = strings.TrimSpace(name)
		if f := strings.Fields(target); len(f) > 0 && filepath.IsAbs(f[0]) {
			m[name] = f[0]
		} else {
			m[name] = ""
		}
	}
	return m
}

// dpkgSearch maps each library to the package that ships it (dpkg -S), trying its real path
// and, for merged-/usr systems, the same path with and without the /usr prefix.
func dpkgSearch(ctx context.Context, libs []string) (map[string]string, error) {
	cands := map[string][]string{}
	var all []string
	for _, l := range libs {
		c := candidates(l)
		cands[l] = c
		all = append(all, c...)
	}
	cmd := exec.CommandContext(ctx, "dpkg", append([]string{"-S"}, all...)...)
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("dpkg -S: %w", err)
	}
	owner := parseDpkgSearch(out)
	res := map[string]string{}
	for _, l := range libs {
		for _, c := range cands[l] {
			if p := owner[c]; p != "" {
				res[l] = p
				break
			}
		}
	}
	return res, nil
}

func candidates(lib string) []string {
	paths := []string{lib}
	if real, err := filepath.EvalSymlinks(lib); err == nil && real != lib {
		paths = append(paths, real)
	}
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		add(p)
		if rest, ok := strings.CutPrefix(p, "/usr/"); ok {
			add("/" + rest)
		} else {
			add("/usr" + p)
		}
	}
	return out
}

// parseDpkgSearch reads `dpkg -S` lines "pkg:arch[, pkg2]: /path" into path → first package
// (without its architecture); diversion notes are skipped.
func parseDpkgSearch(out []byte) map[string]string {
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "diversion ") {
			continue
		}
		i := strings.Index(line, ": /")
		if i < 0 {
			continue
		}
		pkg, _, _ := strings.Cut(strings.TrimSpace(strings.Split(line[:i], ",")[0]), ":")
		path := line[i+2:]
		if _, ok := m[path]; !ok && pkg != "" {
			m[path] = pkg
		}
	}
	return m
}

// mergeDepends appends the computed packages to the configured Depends, without repeats.
func mergeDepends(configured, computed []string) []string {
	out := append([]string(nil), configured...)
	seen := map[string]bool{}
	for _, d := range configured {
		name, _, _ := strings.Cut(d, " ")
		seen[name] = true
	}
	for _, d := range computed {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}
