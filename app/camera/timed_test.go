package camera

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// With windows the demo camera is told each number in turn, due a reaction after its window
// opens for as long as the window lasts; WindowAt says which window a moment falls in.
func TestRecordingTellsEachWindow(t *testing.T) {
	ws := []sdk.Window{{StartMS: 50, EndMS: 150}, {StartMS: 200, EndMS: 260}}
	sc := &fakeScener{}
	take := Recording{Length: 1000 * time.Millisecond, FPS: 40, Challenge: []int{2, 4}, Windows: ws, Scener: sc}
	if _, err := take.Run(context.Background(), &Preview{}); err != nil {
		t.Fatal(err)
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if len(sc.scenes) != 2 {
		t.Fatalf("%d scenes, want one per window: %+v", len(sc.scenes), sc.scenes)
	}
	a, b := sc.scenes[0], sc.scenes[1]
	if !slices.Equal(a.Numbers, []int{2}) || !slices.Equal(b.Numbers, []int{4}) || a.Hold != 100*time.Millisecond || b.Hold != 60*time.Millisecond {
		t.Fatalf("scenes %+v", sc.scenes)
	}
	if d := b.Start.Sub(a.Start); d != 150*time.Millisecond {
		t.Fatalf("second number due %v after the first, want 150ms", d)
	}
	for _, c := range []struct {
		el   time.Duration
		want int
	}{{0, -1}, {50 * time.Millisecond, 0}, {149 * time.Millisecond, 0}, {170 * time.Millisecond, -1}, {200 * time.Millisecond, 1}, {300 * time.Millisecond, -1}} {
		if got := WindowAt(ws, c.el); got != c.want {
			t.Errorf("WindowAt(%v) = %d, want %d", c.el, got, c.want)
		}
	}
}
