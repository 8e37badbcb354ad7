package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
)

// hwioToOIHW turns a tfjs conv filter [h][w][in][out] into dlib's [out][in][h][w].
func hwioToOIHW(t tensor) ([]float32, error) {
	if len(t.Shape) != 4 {
		return nil, fmt.Errorf("tensor %s: want 4 dims, got %v", t.Name, t.Shape)
	}
	h, w, in, out := t.Shape[0], t.Shape[1], t.Shape[2], t.Shape[3]
	dst := make([]float32, len(t.Data))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for i := 0; i < in; i++ {
				for o := 0; o < out; o++ {
					dst[((o*in+i)*h+y)*w+x] = t.Data[((y*w+x)*in+i)*out+o]
				}
			}
		}
	}
	return dst, nil
}

// dlibRecords groups the face-api ResNet tensors into one record per dlib layer, from the input
// to the output: conv (filters OIHW then bias), affine (gamma then beta), and finally fc
// (256×128, row-major as in tfjs). The manifest order is dlib's layer order.
func dlibRecords(ts []tensor) ([][]float32, error) {
	var recs [][]float32
	for i := 0; i < len(ts); {
		t := ts[i]
		switch {
		case strings.HasSuffix(t.Name, "/conv/filters"):
			if i+1 >= len(ts) || !strings.HasSuffix(ts[i+1].Name, "/conv/bias") {
				return nil, fmt.Errorf("tensor %s: not followed by its bias", t.Name)
			}
			f, err := hwioToOIHW(t)
			if err != nil {
				return nil, err
			}
			if ts[i+1].size() != t.Shape[3] {
				return nil, fmt.Errorf("tensor %s: %d biases for %d filters", ts[i+1].Name, ts[i+1].size(), t.Shape[3])
			}
			recs = append(recs, append(f, ts[i+1].Data...))
			i += 2
		case strings.HasSuffix(t.Name, "/scale/weights"):
			if i+1 >= len(ts) || !strings.HasSuffix(ts[i+1].Name, "/scale/biases") || ts[i+1].size() != t.size() {
				return nil, fmt.Errorf("tensor %s: not followed by matching biases", t.Name)
			}
			recs = append(recs, append(append([]float32{}, t.Data...), ts[i+1].Data...))
			i += 2
		case t.Name == "fc":
			if len(t.Shape) != 2 {
				return nil, fmt.Errorf("tensor fc: shape %v", t.Shape)
			}
			recs = append(recs, t.Data)
			i++
		default:
			return nil, fmt.Errorf("tensor %s: unexpected in the ResNet manifest", t.Name)
		}
	}
	return recs, nil
}

// writeRecords writes each record as a little-endian uint32 count and float32 values, the input
// format of cxx/resnet_convert.cc.
func writeRecords(w io.Writer, recs [][]float32) error {
	for _, r := range recs {
		b := make([]byte, 4+4*len(r))
		binary.LittleEndian.PutUint32(b, uint32(len(r)))
		for i, v := range r {
			binary.LittleEndian.PutUint32(b[4+4*i:], math.Float32bits(v))
		}
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("write records: %w", err)
		}
	}
	return nil
}
