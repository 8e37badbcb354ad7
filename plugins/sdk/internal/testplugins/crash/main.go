// Command crash is a fixture detector plugin for tests (see package testplugins).
package main

import (
	"github.com/ehraz/ehraz/plugins/sdk/internal/testplugins"
	"github.com/ehraz/ehraz/plugins/sdk/transport"
)

func main() { transport.Serve(testplugins.Crash{}) }
