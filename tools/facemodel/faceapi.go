package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// manifestEntry is one weight group of a tfjs weights manifest.
type manifestEntry struct {
	Paths   []string     `json:"paths"`
	Weights []weightSpec `json:"weights"`
}

// weightSpec describes one tensor: its shape and, when quantized, how to restore the floats.
type weightSpec struct {
	Name         string `json:"name"`
	Shape        []int  `json:"shape"`
	Dtype        string `json:"dtype"`
	Quantization *struct {
		Dtype string  `json:"dtype"`
		Scale float64 `json:"scale"`
		Min   float64 `json:"min"`
	} `json:"quantization"`
}

// tensor is a dequantized float32 tensor in tfjs layout.
type tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

func (t tensor) size() int { return product(t.Shape) }

func product(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// loadFaceAPI reads a tfjs manifest and its weight files from dir and returns every tensor,
// dequantized (value = q·scale + min for uint8 tensors), in manifest order.
func loadFaceAPI(dir, manifest string) ([]tensor, error) {
	raw, err := os.ReadFile(filepath.Join(dir, manifest))
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var groups []manifestEntry
	if err := json.Unmarshal(raw, &groups); err != nil {
		return nil, fmt.Errorf("parse manifest %s: %w", manifest, err)
	}
	var out []tensor
	for _, g := range groups {
		var buf []byte
		for _, p := range g.Paths {
			b, err := os.ReadFile(filepath.Join(dir, filepath.Base(p)))
			if err != nil {
				return nil, fmt.Errorf("read weights: %w", err)
			}
			buf = append(buf, b...)
		}
		ts, rest, err := decodeGroup(g.Weights, buf)
		if err != nil {
			return nil, err
		}
		if len(rest) != 0 {
			return nil, fmt.Errorf("weights: %d bytes left over after %d tensors", len(rest), len(ts))
		}
		out = append(out, ts...)
	}
	return out, nil
}

// decodeGroup cuts buf into the tensors specs describe and returns the unused tail.
func decodeGroup(specs []weightSpec, buf []byte) ([]tensor, []byte, error) {
	var out []tensor
	for _, s := range specs {
		if s.Dtype != "float32" {
			return nil, nil, fmt.Errorf("tensor %s: dtype %s not supported", s.Name, s.Dtype)
		}
		n := product(s.Shape)
		t := tensor{Name: s.Name, Shape: s.Shape, Data: make([]float32, n)}
		switch {
		case s.Quantization == nil:
			if len(buf) < 4*n {
				return nil, nil, fmt.Errorf("tensor %s: truncated", s.Name)
			}
			for i := range t.Data {
				t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
			}
			buf = buf[4*n:]
		case s.Quantization.Dtype == "uint8":
			if len(buf) < n {
				return nil, nil, fmt.Errorf("tensor %s: truncated", s.Name)
			}
			for i := range t.Data {
				t.Data[i] = float32(float64(buf[i])*s.Quantization.Scale + s.Quantization.Min)
			}
			buf = buf[n:]
		default:
			return nil, nil, fmt.Errorf("tensor %s: quantization %s not supported", s.Name, s.Quantization.Dtype)
		}
		out = append(out, t)
	}
	return out, buf, nil
}
