package kiosk_test

import (
	"context"
	"testing"
	"time"
)

// Operator mode's outbox panel: a dossier waiting out its back-off is listed with its attempts
// and error, and "retry now" sends it at once instead of at the next due time.
func TestOutboxQueueAndRetryNow(t *testing.T) {
	ctx := context.Background()
	addr := freeAddr(t)
	in := newIntakeRig(t, addr, loopback()) // not listening yet: the intake is down
	c := &clock{t: time.Now()}
	o := newOutbox(t, addr, sessions{"s1": session("s1", "0015260186", "kiosk", "")}, c)
	if err := o.Enqueue(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if n, err := o.Flush(ctx); n != 0 || err == nil {
		t.Fatalf("flush with the intake down: %d, %v", n, err)
	}
	q, err := o.Queue(ctx, 10)
	if err != nil || len(q) != 1 || q[0].SessionID != "s1" || q[0].Kind != "dossier" || q[0].State != "pending" ||
		q[0].Attempts != 1 || q[0].LastError == "" || !q[0].NextAttempt.After(c.t) {
		t.Fatalf("queue while down: %+v %v", q, err)
	}
	in.up(t)
	// The back-off has not run out: an ordinary round sends nothing …
	if n, _ := o.Flush(ctx); n != 0 {
		t.Fatalf("an entry not due was sent")
	}
	// … "retry now" does.
	if n, err := o.RetryNow(ctx); n != 1 || err != nil {
		t.Fatalf("retry now: %d, %v", n, err)
	}
	if q, err := o.Queue(ctx, 10); err != nil || len(q) != 0 {
		t.Errorf("queue after delivery: %+v %v", q, err)
	}
	if got, _ := in.srv.Count(ctx); got != 1 {
		t.Errorf("intake holds %d dossiers", got)
	}
}
