package main

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise the module's build info.
var version = "dev"

func versionCommand() command {
	return command{
		name:    "version",
		summary: "print the version and plugin protocol version",
		run: func(_ context.Context, e *env, _ []string) int {
			v := version
			if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			fmt.Fprintf(e.stdout, "ehrazctl %s (plugin protocol v%d)\n", v, sdk.ProtocolVersion)
			return exitOK
		},
	}
}
