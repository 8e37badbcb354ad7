// Command package builds Ehraz's Debian packages with nfpm (as a library): ehraz-kiosk and
// ehraz-backoffice, from the nfpm configurations in packaging/, the binaries `make build` made,
// the models and fonts `make setup` prepared, and FyneApp.toml's metadata (version, name, icon)
// for the package version and the desktop entry. The runtime libraries the binaries link are
// found with ldd and mapped to their Debian packages with dpkg -S, which become Depends.
//
//	go run ./tools/package [-root .] [-out bin/deb] [-release N] [-only kiosk|backoffice]
//
// It prints one line per package: its file, size and Depends.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	root := flag.String("root", ".", "the repository: packaging/, FyneApp.toml, bin/, models/, assets/fonts, .cache/geoip")
	out := flag.String("out", "bin/deb", "folder for the .deb files")
	release := flag.String("release", "", "Debian revision (default: FyneApp.toml's Build)")
	only := flag.String("only", "", "build one package only: kiosk or backoffice")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	built, err := Build(ctx, Options{Root: *root, Out: *out, Release: *release, Only: *only})
	if err != nil {
		fmt.Fprintln(os.Stderr, "package:", err)
		os.Exit(1)
	}
	for _, b := range built {
		fmt.Printf("package %s %s %d bytes, depends: %s\n", b.Name, b.Path, b.Size, joinDeps(b.Depends))
	}
}
