package main

import (
	"testing"
	"time"
)

func TestWatchdogInterval(t *testing.T) {
	const pid, ppid = 100, 50
	tests := []struct {
		name string
		env  map[string]string
		want time.Duration
	}{
		{"no watchdog", map[string]string{}, 0},
		{"for this process", map[string]string{"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "100"}, 10 * time.Second},
		{"for the compositor that started it", map[string]string{"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "50"}, 10 * time.Second},
		{"no pid named", map[string]string{"WATCHDOG_USEC": "3000000"}, time.Second},
		{"for another process", map[string]string{"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "7"}, 0},
		{"garbled", map[string]string{"WATCHDOG_USEC": "soon"}, 0},
		{"zero", map[string]string{"WATCHDOG_USEC": "0"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := watchdogInterval(func(k string) string { return tt.env[k] }, pid, ppid)
			if got != tt.want {
				t.Errorf("interval %v, want %v", got, tt.want)
			}
		})
	}
}
