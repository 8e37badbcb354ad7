// Command ehraz-sandbox is the detector plugin launcher the kiosk's plugin host starts instead
// of a plugin: it applies the limits and Landlock rules on its command line to itself and then
// becomes the plugin (see app/detect/confine). It is not meant to be run by hand. Build it with
// CGO_ENABLED=0 (see cgo.go); a cgo build refuses to run in its own PID namespace.
package main

import (
	"fmt"
	"os"

	"github.com/ehraz/ehraz/app/detect/confine"
)

func main() {
	if builtWithCgo && os.Getpid() == 1 {
		fmt.Fprintln(os.Stderr, "ehraz-sandbox: built with cgo, which hangs as PID 1 of a PID namespace: rebuild with CGO_ENABLED=0")
		os.Exit(3)
	}
	s, err := confine.Parse(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "ehraz-sandbox:", err)
		os.Exit(2)
	}
	if err := confine.Run(s, os.Environ(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ehraz-sandbox:", err)
		os.Exit(1)
	}
}
