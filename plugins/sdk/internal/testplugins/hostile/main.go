//go:build linux

// Command hostile is a fixture detector plugin that behaves like malicious vendor code: each
// CheckSignature call names one escape in the image bytes (a JSON Attempt) and the plugin tries
// it for real, then reports what happened. The host's sandbox test (app/detect) asserts that
// every escape fails. A test fixture only, never shipped or installed by make.
//
// The answer: Outcome Pass means the escape SUCCEEDED, Fail means it was blocked; Reasons[0] is
// the detail (the error met, or what was obtained), Rules[0].Value a count where one applies.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/transport"
)

// Attempt is one escape asked for by the test.
type Attempt struct {
	Op  string `json:"op"`  // env, read, write, connect, udp, files, alloc, forkbomb, alloc-die
	Arg string `json:"arg"` // the path or address, where the op needs one
	N   int    `json:"n"`   // how many files or processes to try for
}

type hostile struct{}

func (hostile) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "hostile", Vendor: "ehraz-tests", Version: "0.0.1", ProtocolVersion: sdk.ProtocolVersion,
		Kinds: []sdk.Kind{sdk.KindSignature}, Capabilities: []string{"CheckSignature"}}, nil
}

func (hostile) CheckSignature(_ context.Context, r sdk.SignatureRequest) (sdk.Verdict, error) {
	var a Attempt
	if err := json.Unmarshal(r.Image.Data, &a); err != nil {
		return sdk.Verdict{}, fmt.Errorf("attempt: %w", err)
	}
	escaped, detail, n := try(a)
	v := sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{detail},
		Rules: []sdk.Rule{{Name: "escape." + a.Op, Outcome: sdk.Fail, Value: float64(n)}}}
	if escaped {
		v.Outcome, v.Rules[0].Outcome = sdk.Pass, sdk.Pass
	}
	return v, nil
}

func try(a Attempt) (escaped bool, detail string, n int) {
	switch a.Op {
	case "env":
		env := os.Environ()
		return true, strings.Join(env, "\x00"), len(env)
	case "read":
		b, err := os.ReadFile(a.Arg)
		if err != nil {
			return false, err.Error(), 0
		}
		return true, fmt.Sprintf("read %d bytes", len(b)), len(b)
	case "write":
		if err := os.WriteFile(a.Arg, []byte("owned"), 0o644); err != nil {
			return false, err.Error(), 0
		}
		return true, "wrote " + a.Arg, 1
	case "connect":
		c, err := net.DialTimeout("tcp", a.Arg, 2*time.Second)
		if err != nil {
			return false, err.Error(), 0
		}
		c.Write([]byte("photos"))
		c.Close()
		return true, "connected to " + a.Arg, 1
	case "udp":
		// UDP: outside what Landlock restricts before ABI 10; only the network namespace stops it.
		c, err := net.DialTimeout("udp", a.Arg, 2*time.Second)
		if err == nil {
			_, err = c.Write([]byte("photos"))
			c.Close()
		}
		if err != nil {
			return false, err.Error(), 0
		}
		return true, "sent a datagram to " + a.Arg, 1
	case "files":
		return files(a.N)
	case "alloc":
		// 8 GB of address space, not touched: the limit refuses the mapping itself.
		m, err := syscall.Mmap(-1, 0, 8<<30, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
		if err != nil {
			return false, err.Error(), 0
		}
		syscall.Munmap(m)
		return true, "mapped 8 GB", 1
	case "alloc-die":
		// The Go way: the runtime dies when the allocation is refused, taking the plugin with it.
		b := make([]byte, 8<<30)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		return true, "allocated and touched 8 GB", 1
	case "forkbomb":
		return forkbomb(a.N)
	}
	return false, "unknown op " + a.Op, 0
}

// files holds n open descriptors at once (dups of one file in its own folder).
func files(n int) (bool, string, int) {
	f, err := os.CreateTemp("", "fd")
	if err != nil {
		return false, err.Error(), 0
	}
	defer f.Close()
	var fds []int
	defer func() {
		for _, fd := range fds {
			syscall.Close(fd)
		}
	}()
	for len(fds) < n {
		fd, err := syscall.Dup(int(f.Fd()))
		if err != nil {
			return false, fmt.Sprintf("stopped after %d: %v", len(fds), err), len(fds)
		}
		fds = append(fds, fd)
	}
	return true, fmt.Sprintf("held %d files", len(fds)), len(fds)
}

// forkbomb forks up to n processes that pause forever (raw fork: no exec, no Go runtime in the
// child but one thread). They are left running, as a real bomb would leave them.
func forkbomb(n int) (bool, string, int) {
	for i := 0; i < n; i++ {
		pid, _, errno := syscall.RawSyscall6(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0, 0, 0, 0)
		if errno != 0 {
			return false, fmt.Sprintf("stopped after %d: %v", i, errno), i
		}
		if pid == 0 {
			for {
				syscall.RawSyscall6(syscall.SYS_PPOLL, 0, 0, 0, 0, 0, 0) // no fds, no timeout: forever
			}
		}
	}
	return true, fmt.Sprintf("forked %d processes", n), n
}

func main() { transport.Serve(hostile{}) }
