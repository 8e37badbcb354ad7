package detect

import (
	"errors"
	"runtime"
)

// Plugins are started from a thread of their own. On Linux the host asks the kernel to SIGKILL a
// plugin when its parent dies (dieWithHost), and for the kernel the parent is the OS *thread*
// that forked it, not the process. A Go goroutine may run on any thread, and a thread ends when a
// goroutine locked to it returns (a caller that opened the host from such a goroutine, a library
// that locks threads), which would kill every plugin that thread had started. So each plugin is
// started, and restarted, by a goroutine locked to its thread for as long as the host lives;
// it is never unlocked, so when the host closes the thread ends too, and anything it started that
// is somehow still running dies with it. One thread per plugin, so a plugin slow to start never
// delays another's (re)start. The cost is one idle OS thread per plugin.
type lockedThread struct {
	jobs chan func()
	quit <-chan struct{}
}

// errHostClosed is a start asked for after the host closed.
var errHostClosed = errors.New("plugin host closed")

// newLockedThread starts the thread; it ends when quit is closed.
func newLockedThread(quit <-chan struct{}) *lockedThread {
	t := &lockedThread{jobs: make(chan func()), quit: quit}
	go func() {
		runtime.LockOSThread() // never unlocked: see above
		for {
			select {
			case f := <-t.jobs:
				f()
			case <-quit:
				return
			}
		}
	}()
	return t
}

// run runs f on the thread and waits for it; errHostClosed if the thread has ended.
func (t *lockedThread) run(f func()) error {
	done := make(chan struct{})
	select {
	case t.jobs <- func() { defer close(done); f() }:
	case <-t.quit:
		return errHostClosed
	}
	<-done
	return nil
}
