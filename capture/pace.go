package capture

import (
	"context"
	"time"
)

// pacer spaces frames at a fixed rate. When the reader falls behind by more than a period it
// starts again from now instead of delivering a burst of late frames.
type pacer struct {
	period time.Duration
	next   time.Time
}

func newPacer(fps float64) *pacer {
	if fps <= 0 {
		fps = 15
	}
	return &pacer{period: time.Duration(float64(time.Second) / fps)}
}

// wait blocks until the next frame is due and returns the time it was released.
func (p *pacer) wait(ctx context.Context) (time.Time, error) {
	now := time.Now()
	if p.next.IsZero() || now.Sub(p.next) > p.period {
		p.next = now
	}
	if d := p.next.Sub(now); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return time.Time{}, ctx.Err()
		case <-t.C:
		}
	} else if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	p.next = p.next.Add(p.period)
	return time.Now(), nil
}
