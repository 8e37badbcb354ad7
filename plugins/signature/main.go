// Command signature is Ehraz's signature detector plugin: it serves package sigcheck over the
// detector plugin protocol.
package main

import (
	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/signature/sigcheck"
)

func main() { sdk.Serve(sigcheck.New(sigcheck.DefaultThresholds())) }
