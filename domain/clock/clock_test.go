package clock

import (
	"testing"
	"time"
)

// Virtual's Since is elapsed time for its own times whatever the wall clock does, and wall time
// for times it never returned (read back from a database), as Go's monotonic reading behaves.
func TestVirtualSince(t *testing.T) {
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		move func(c *Virtual)
		want time.Duration // Since(a time Now returned before the move)
		wall time.Duration // Now().Sub of that time
	}{
		{"time passes", func(c *Virtual) { c.Advance(90 * time.Second) }, 90 * time.Second, 90 * time.Second},
		{"set back an hour", func(c *Virtual) { c.Advance(30 * time.Second); c.Jump(-time.Hour) }, 30 * time.Second, 30*time.Second - time.Hour},
		{"set forward a day", func(c *Virtual) { c.Jump(24 * time.Hour); c.Advance(time.Second) }, time.Second, 24*time.Hour + time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewVirtual(start)
			t0 := c.Now()
			tc.move(c)
			if got := c.Since(t0); got != tc.want {
				t.Errorf("Since = %v, want %v", got, tc.want)
			}
			if got := Since(c, t0); got != tc.want {
				t.Errorf("clock.Since = %v, want %v", got, tc.want)
			}
			if got := c.Now().Sub(t0); got != tc.wall {
				t.Errorf("wall difference %v, want %v", got, tc.wall)
			}
			// The same instant read back from a database (local time, no reading) is wall time.
			loaded := time.UnixMilli(t0.UnixMilli())
			if got := c.Since(loaded); got != tc.wall {
				t.Errorf("Since(loaded) = %v, want the wall difference %v", got, tc.wall)
			}
		})
	}
}

// Forget bounds the remembered readings; forgotten times are measured on the wall clock.
func TestVirtualForget(t *testing.T) {
	c := NewVirtual(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	old := c.Now()
	c.Advance(time.Hour)
	c.Jump(time.Hour)
	recent := c.Now()
	c.Advance(time.Minute)
	c.Forget(30 * time.Minute)
	if len(c.issued) != 1 {
		t.Errorf("%d readings kept, want 1", len(c.issued))
	}
	if got := c.Since(old); got != 2*time.Hour+time.Minute {
		t.Errorf("forgotten time: %v, want the wall difference", got)
	}
	if got := c.Since(recent); got != time.Minute {
		t.Errorf("kept time: %v", got)
	}
}

// A clock without Since is measured on its Now; System's Since is time.Since.
func TestSinceFallback(t *testing.T) {
	f := fixed(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	if got := Since(f, time.Time(f).Add(-time.Minute)); got != time.Minute {
		t.Errorf("fallback Since = %v", got)
	}
	now := System{}.Now()
	if d := (System{}).Since(now); d < 0 || d > time.Second {
		t.Errorf("System.Since = %v", d)
	}
}

type fixed time.Time

func (f fixed) Now() time.Time { return time.Time(f) }
