package facecheck

import (
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk/conformance"
)

// TestConformance runs the plugin conformance kit on the detector in process (the same code the
// binary serves; `ehrazctl plugin check bin/plugins/face` checks the binary).
func TestConformance(t *testing.T) {
	conformance.RunImpl(t, openTest(t))
}
