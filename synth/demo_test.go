package synth

import (
	"image"
	"testing"
	"time"
)

func TestPingPong(t *testing.T) {
	for _, tc := range []struct{ t, span, want int64 }{
		{0, 100, 0}, {40, 100, 40}, {100, 100, 100}, {130, 100, 70}, {200, 100, 0}, {230, 100, 30},
		{-30, 100, 30}, {50, 0, 0},
	} {
		if got := pingPong(tc.t, tc.span); got != tc.want {
			t.Errorf("pingPong(%d, %d) = %d, want %d", tc.t, tc.span, got, tc.want)
		}
	}
}

func TestDegenerateQuadHasNoHomography(t *testing.T) {
	line := [4][2]float64{{0, 0}, {1, 1}, {2, 2}, {3, 3}}
	square := [4][2]float64{{0, 0}, {10, 0}, {10, 10}, {0, 10}}
	if _, ok := solveHomography(line, square); ok {
		t.Fatal("four points on a line map onto a square")
	}
}

// BenchmarkFaceScene is the demo camera's drawing cost per 640×480 face-scene frame.
func BenchmarkFaceScene(b *testing.B) {
	s := NewFaceScene(nil, image.Rectangle{}, 640, 480)
	for i := 0; b.Loop(); i++ {
		_ = s.Frame(time.Duration(i) * 33 * time.Millisecond)
	}
}
