// Command liveness is Ehraz's liveness detector plugin: the finger-number video challenge, video
// quality rules and passive anti-spoofing cues (see package detector).
package main

import (
	"github.com/ehraz/ehraz/plugins/liveness/detector"
	"github.com/ehraz/ehraz/plugins/liveness/model"
	"github.com/ehraz/ehraz/plugins/sdk/transport"
)

func main() { transport.Serve(detector.New(model.Dir())) }
