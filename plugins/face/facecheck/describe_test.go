package facecheck

import (
	"math"
	"testing"

	face "github.com/Kagami/go-face"
)

func TestDescriptorDistance(t *testing.T) {
	unit := func(i int, v float32) face.Descriptor {
		var d face.Descriptor
		d[i] = v
		return d
	}
	var mixed, mixedLonger face.Descriptor
	for i := range mixed {
		mixed[i] = float32(math.Sin(float64(i)))
		mixedLonger[i] = 1.2 * mixed[i]
	}
	var zero face.Descriptor
	cases := []struct {
		name string
		a, b face.Descriptor
		want float64
	}{
		{"same direction, different length", mixed, mixedLonger, 0},
		{"orthogonal", unit(0, 1.4), unit(1, 1.5), math.Sqrt2},
		{"opposite", unit(3, 1.4), unit(3, -0.2), 2},
		{"45 degrees", unit(0, 1), face.Descriptor{0: 2, 1: 2}, math.Sqrt(2 - math.Sqrt2)},
		{"a zero descriptor is as far as can be", zero, mixed, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := descriptorDistance(c.a, c.b); math.Abs(got-c.want) > 1e-6 {
				t.Errorf("descriptorDistance = %.7f, want %.7f", got, c.want)
			}
			if got := descriptorDistance(c.b, c.a); math.Abs(got-c.want) > 1e-6 {
				t.Errorf("descriptorDistance reversed = %.7f, want %.7f", got, c.want)
			}
		})
	}
	// The raw distance of two photos of one direction grows with their lengths; this one does not.
	if raw := math.Sqrt(face.SquaredEuclideanDistance(mixed, mixedLonger)); raw < 0.5 {
		t.Fatalf("test vectors too close for the point: raw distance %.3f", raw)
	}
}
