// Package clock is time as the kiosk reads it: Now, the wall clock, stamps records; Since says
// how long ago a time Now returned was, on a clock that setting the wall clock does not move. A
// kiosk's wall clock does get set — back an hour by a wrong time zone, forward a day by NTP after a
// dead RTC battery — and a code's lifetime, an idle timeout or a cooldown must not stretch or
// shrink with it. System does this with Go's monotonic reading; Virtual is a settable clock for
// tests and the soak run, whose Jump moves only the wall clock, as setting the time does.
package clock

import (
	"sync"
	"time"
)

// Clock gives the wall time and elapsed time.
type Clock interface {
	Now() time.Time
	// Since is how long ago t was. For a t this clock's Now returned in this process it is
	// elapsed time, whatever the wall clock did meanwhile; for any other t (read back from a
	// database) it is measured on the wall clock, and may be negative after the clock was set back.
	Since(t time.Time) time.Duration
}

// System is the machine's clock.
type System struct{}

// Now is time.Now (with its monotonic reading).
func (System) Now() time.Time { return time.Now() }

// Since is time.Since: monotonic for times from Now in this process, wall time otherwise.
func (System) Since(t time.Time) time.Duration { return time.Since(t) }

// Since asks c how long ago t was, when c is a Clock, or measures it on now otherwise.
func Since(c interface{ Now() time.Time }, t time.Time) time.Duration {
	if e, ok := c.(interface{ Since(time.Time) time.Duration }); ok {
		return e.Since(t)
	}
	return c.Now().Sub(t)
}

// Virtual is a settable clock: Advance lets time pass (both readings move), Jump sets the wall
// clock (only the wall reading moves). Like Go's monotonic reading, it remembers the elapsed
// reading of every time its Now returned, so Since of such a time is elapsed time, and Since of
// a time it never returned (one read back from a database) is wall time. It is safe for
// concurrent use. Two Now calls at one wall instant share a reading; after the wall clock was
// set back onto an instant it returned before, that instant's elapsed reading is the newer one.
type Virtual struct {
	mu      sync.Mutex
	wall    time.Time
	elapsed time.Duration
	issued  map[int64]time.Duration
}

// NewVirtual returns a Virtual clock showing start. Its times are in UTC, so a time read back
// from a database (time.UnixMilli gives local times) is never mistaken for one it returned.
func NewVirtual(start time.Time) *Virtual {
	return &Virtual{wall: start.UTC(), issued: map[int64]time.Duration{}}
}

// Now returns the wall time.
func (c *Virtual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.issued[c.wall.UnixNano()] = c.elapsed
	return c.wall
}

// Since is elapsed time for a t Now returned, wall time otherwise.
func (c *Virtual) Since(t time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.issued[t.UnixNano()]; ok && t.Location() == c.wall.Location() {
		return c.elapsed - e
	}
	return c.wall.Sub(t)
}

// Advance lets d pass.
func (c *Virtual) Advance(d time.Duration) {
	c.mu.Lock()
	c.wall = c.wall.Add(d)
	c.elapsed += d
	c.mu.Unlock()
}

// Jump sets the wall clock d forward (or back, when negative) without time passing.
func (c *Virtual) Jump(d time.Duration) {
	c.mu.Lock()
	c.wall = c.wall.Add(d)
	c.mu.Unlock()
}

// Forget drops the remembered readings of times before the wall time minus keep, bounding the
// memory of a long simulation (times older than that are then measured on the wall clock).
func (c *Virtual) Forget(keep time.Duration) {
	c.mu.Lock()
	cut := c.wall.Add(-keep).UnixNano()
	for k := range c.issued {
		if k < cut {
			delete(c.issued, k)
		}
	}
	c.mu.Unlock()
}
