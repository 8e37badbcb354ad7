// Package layers holds the test that enforces docs/architecture.md: which package of the module
// may import which. It has no code of its own; `go test ./tools/layers` runs the check.
package layers
