//go:build cgo

package main

// builtWithCgo: go-landlock's cgo thread helper (libpsx) hangs in a process that is PID 1 of its
// own PID namespace, which the launcher is; build it with CGO_ENABLED=0 (make build does).
const builtWithCgo = true
