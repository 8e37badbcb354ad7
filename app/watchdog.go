package main

import (
	"context"
	"os"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"github.com/coreos/go-systemd/v22/daemon"
)

// superviseUI tells systemd (ehraz-kiosk.service, Type=notify) that the kiosk is ready once its
// window is up and, while the unit asks for a watchdog, that its UI loop is alive: the ping is
// sent from inside the Fyne event loop (fyne.Do), so a hung UI stops pinging and systemd
// restarts the kiosk. Without $NOTIFY_SOCKET (make run, tests) it does nothing.
func superviseUI(ctx context.Context, a fyne.App, warn func(error)) {
	if os.Getenv("NOTIFY_SOCKET") == "" {
		return
	}
	interval := watchdogInterval(os.Getenv, os.Getpid(), os.Getppid())
	a.Lifecycle().SetOnStarted(func() {
		if _, err := daemon.SdNotify(false, daemon.SdNotifyReady); err != nil {
			warn(err)
		}
		if interval <= 0 {
			return
		}
		go func() {
			t := time.NewTicker(interval)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					fyne.Do(func() {
						if _, err := daemon.SdNotify(false, daemon.SdNotifyWatchdog); err != nil {
							warn(err)
						}
					})
				}
			}
		}()
	})
}

// watchdogInterval is how often to ping: a third of $WATCHDOG_USEC, or 0 when the unit asks for
// no watchdog. systemd sets WATCHDOG_PID to its main process, which is cage, the kiosk's parent
// (the unit's NotifyAccess=all lets the kiosk notify for it), so the parent's PID counts too.
func watchdogInterval(getenv func(string) string, pid, ppid int) time.Duration {
	usec, err := strconv.ParseInt(getenv("WATCHDOG_USEC"), 10, 64)
	if err != nil || usec <= 0 {
		return 0
	}
	if s := getenv("WATCHDOG_PID"); s != "" {
		p, err := strconv.Atoi(s)
		if err != nil || (p != pid && p != ppid) {
			return 0
		}
	}
	return time.Duration(usec) * time.Microsecond / 3
}
