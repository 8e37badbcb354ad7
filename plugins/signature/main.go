// Command signature is Ehraz's signature detector plugin: it serves package sigcheck over the
// detector plugin protocol.
package main

import (
	"github.com/ehraz/ehraz/plugins/sdk/transport"
	"github.com/ehraz/ehraz/plugins/signature/sigcheck"
)

func main() { transport.Serve(sigcheck.New(sigcheck.DefaultThresholds())) }
