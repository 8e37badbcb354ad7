package outbox

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	o := &Outbox{cfg: Config{BackoffBase: 5 * time.Second, BackoffMax: 10 * time.Minute}}
	for n, want := range map[int]time.Duration{1: 5 * time.Second, 2: 10 * time.Second, 4: 40 * time.Second, 20: 10 * time.Minute} {
		got := o.backoff(n)
		if got < want*8/10 || got > want*12/10 {
			t.Errorf("backoff(%d) = %v, want %v ±20%%", n, got, want)
		}
	}
}

func TestIdempotencyKeyStable(t *testing.T) {
	a, b := IdempotencyKey("k1", "s1"), IdempotencyKey("k1", "s1")
	if a != b || a == IdempotencyKey("k2", "s1") || a == IdempotencyKey("k1", "s2") || len(a) != 32 {
		t.Errorf("keys %s %s", a, b)
	}
}
