package tfjs2onnx

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// tfNode is one node of a TFJS graph model (model.json "modelTopology.node").
type tfNode struct {
	Name  string             `json:"name"`
	Op    string             `json:"op"`
	Input []string           `json:"input"`
	Attr  map[string]tfAttrV `json:"attr"`
}

type tfAttrV struct {
	S    string `json:"s"`
	B    bool   `json:"b"`
	I    string `json:"i"`
	F    float64
	List struct {
		I []string `json:"i"`
		S []string `json:"s"`
	} `json:"list"`
	Shape struct {
		Dim []struct {
			Size string `json:"size"`
		} `json:"dim"`
	} `json:"shape"`
}

func (a tfAttrV) str() string {
	b, err := base64.StdEncoding.DecodeString(a.S)
	if err != nil {
		return ""
	}
	return string(b)
}

func (a tfAttrV) ints() []int64 {
	out := make([]int64, 0, len(a.List.I))
	for _, s := range a.List.I {
		v, _ := strconv.ParseInt(s, 10, 64)
		out = append(out, v)
	}
	return out
}

func (a tfAttrV) strs() []string {
	out := make([]string, 0, len(a.List.S))
	for _, s := range a.List.S {
		b, _ := base64.StdEncoding.DecodeString(s)
		out = append(out, string(b))
	}
	return out
}

type tfWeight struct {
	Name         string  `json:"name"`
	Shape        []int64 `json:"shape"`
	Dtype        string  `json:"dtype"`
	Quantization *struct {
		Dtype string  `json:"dtype"`
		Scale float64 `json:"scale"`
		Min   float64 `json:"min"`
	} `json:"quantization"`
}

type tfModel struct {
	ModelTopology struct {
		Node []tfNode `json:"node"`
	} `json:"modelTopology"`
	WeightsManifest []struct {
		Paths   []string   `json:"paths"`
		Weights []tfWeight `json:"weights"`
	} `json:"weightsManifest"`
}

// constTensor is a weight in float32 (int32 weights are widened to float and kept as ints too).
type constTensor struct {
	Shape []int64
	F32   []float32
	Int   bool
}

func (c constTensor) ints() []int64 {
	out := make([]int64, len(c.F32))
	for i, v := range c.F32 {
		out[i] = int64(v)
	}
	return out
}

// loadTFJS reads model.json and its weight shards.
func loadTFJS(path string) ([]tfNode, map[string]constTensor, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	var m tfModel
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", path, err)
	}
	consts := map[string]constTensor{}
	for _, g := range m.WeightsManifest {
		var data []byte
		for _, p := range g.Paths {
			b, err := os.ReadFile(filepath.Join(filepath.Dir(path), p))
			if err != nil {
				return nil, nil, fmt.Errorf("read weights: %w", err)
			}
			data = append(data, b...)
		}
		off := 0
		for _, w := range g.Weights {
			n := 1
			for _, d := range w.Shape {
				n *= int(d)
			}
			vals := make([]float32, n)
			size := 4
			if w.Quantization != nil {
				switch w.Quantization.Dtype {
				case "float16", "uint16":
					size = 2
				case "uint8":
					size = 1
				default:
					return nil, nil, fmt.Errorf("weight %s: quantization %s unsupported", w.Name, w.Quantization.Dtype)
				}
			}
			if off+n*size > len(data) {
				return nil, nil, fmt.Errorf("weight %s: shard too short", w.Name)
			}
			for i := range vals {
				p := data[off+i*size:]
				switch {
				case w.Quantization != nil && w.Quantization.Dtype == "float16":
					vals[i] = half(binary.LittleEndian.Uint16(p))
				case w.Quantization != nil && w.Quantization.Dtype == "uint16":
					vals[i] = float32(float64(binary.LittleEndian.Uint16(p))*w.Quantization.Scale + w.Quantization.Min)
				case w.Quantization != nil:
					vals[i] = float32(float64(p[0])*w.Quantization.Scale + w.Quantization.Min)
				case w.Dtype == "int32":
					vals[i] = float32(int32(binary.LittleEndian.Uint32(p)))
				default:
					vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(p))
				}
			}
			off += n * size
			consts[w.Name] = constTensor{Shape: w.Shape, F32: vals, Int: w.Dtype == "int32"}
		}
	}
	return m.ModelTopology.Node, consts, nil
}

// half converts an IEEE 754 binary16 to float32.
func half(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int32(h>>10) & 0x1f
	frac := uint32(h & 0x3ff)
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac × 2⁻²⁴
		v := float32(frac) / (1 << 24)
		if sign != 0 {
			v = -v
		}
		return v
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	}
	return math.Float32frombits(sign | uint32(exp+112)<<23 | frac<<13)
}
