// Command hang is a fixture detector plugin for tests (see package testplugins).
package main

import (
	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/internal/testplugins"
)

func main() { sdk.Serve(testplugins.Hang{}) }
