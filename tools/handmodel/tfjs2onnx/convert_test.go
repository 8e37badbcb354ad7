package tfjs2onnx

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/plugins/liveness/model"
)

func TestHalf(t *testing.T) {
	cases := []struct {
		h    uint16
		want float32
	}{
		{0x0000, 0}, {0x3c00, 1}, {0xc000, -2}, {0x3555, 0.333251953125}, {0x7bff, 65504},
		{0x0001, 5.960464477539063e-08}, {0x8400, -6.103515625e-05},
	}
	for _, c := range cases {
		if got := half(c.h); got != c.want {
			t.Errorf("half(%#04x) = %v, want %v", c.h, got, c.want)
		}
	}
}

func TestConvWeightsLayout(t *testing.T) {
	// HWIO [1,2,2,3]: value = 100h + 10w... encodes (kh=1,kw=2,in=2,out=3)
	c := constTensor{Shape: []int64{1, 2, 2, 3}}
	for w := range 2 {
		for i := range 2 {
			for o := range 3 {
				c.F32 = append(c.F32, float32(10*w+100*i+1000*o))
			}
		}
	}
	dims, out, group := convWeights(c, false)
	if group != 1 || len(dims) != 4 || dims[0] != 3 || dims[1] != 2 || dims[2] != 1 || dims[3] != 2 {
		t.Fatalf("dims %v group %d", dims, group)
	}
	// OIHW index (o=2,i=1,h=0,w=1)
	if got := out[((2*2+1)*1+0)*2+1]; got != 10+100+2000 {
		t.Fatalf("OIHW[2,1,0,1] = %v", got)
	}
	// depthwise [1,1,C=2,M=2] → [4,1,1,1]: channel c, multiplier m → c*M+m
	dw := constTensor{Shape: []int64{1, 1, 2, 2}, F32: []float32{1, 2, 3, 4}}
	dims, out, group = convWeights(dw, true)
	if group != 2 || dims[0] != 4 || out[1] != 2 || out[2] != 3 {
		t.Fatalf("depthwise dims %v group %d out %v", dims, group, out)
	}
}

func TestUnsupportedOperatorRefused(t *testing.T) {
	_, err := build([]tfNode{{Name: "x", Op: "Placeholder", Attr: map[string]tfAttrV{}}}, nil)
	if err == nil {
		t.Fatal("rank-less input accepted")
	}
	nodes := []tfNode{
		{Name: "x", Op: "Placeholder", Attr: map[string]tfAttrV{"shape": shapeAttr(1, 4, 4, 2)}},
		{Name: "y", Op: "ConvTranspose", Input: []string{"x"}},
	}
	if _, err := build(nodes, nil); err == nil || !strings.Contains(err.Error(), "unsupported") {
		t.Fatalf("got %v, want unsupported operator", err)
	}
}

func shapeAttr(d ...int) tfAttrV {
	var a tfAttrV
	for _, v := range d {
		a.Shape.Dim = append(a.Shape.Dim, struct {
			Size string `json:"size"`
		}{Size: itoa(v)})
	}
	return a
}

func itoa(v int) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestConvertedGraphComputesTheSame writes a tiny TFJS graph (NHWC conv 1×1 → Relu6 → spatial
// mean → dense → sigmoid), converts it and runs it with onnxruntime on an NCHW input, comparing
// with the same network computed by hand.
func TestConvertedGraphComputesTheSame(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	lib := filepath.Join(filepath.Dir(file), "..", "..", "..", "models", "liveness")
	if d := os.Getenv("EHRAZ_MODEL_DIR"); d != "" {
		lib = filepath.Join(d, "liveness")
	}
	rt, err := model.Open(lib, 1)
	if err != nil {
		t.Skipf("onnxruntime not prepared (run `make liveness-models`): %v", err)
	}
	dir := t.TempDir()
	const H, W, C, K, O = 3, 4, 2, 3, 2
	filter := []float32{0.5, -1, 2, 1, 0.25, -0.5} // [1,1,C,K]
	bias := []float32{0.1, -0.2, 0.3}
	dense := []float32{1, -1, 0.5, 2, -2, 1} // [K,O]
	dbias := []float32{0.05, -0.05}
	var bin []byte
	for _, v := range append(append(append(append([]float32{}, filter...), bias...), dense...), dbias...) {
		bin = binary.LittleEndian.AppendUint32(bin, math.Float32bits(v))
	}
	bin = binary.LittleEndian.AppendUint32(bin, 1)
	bin = binary.LittleEndian.AppendUint32(bin, 2)
	s := func(v string) string { return base64.StdEncoding.EncodeToString([]byte(v)) }
	graph := map[string]any{
		"modelTopology": map[string]any{"node": []any{
			map[string]any{"name": "in", "op": "Placeholder", "attr": map[string]any{"shape": map[string]any{"shape": map[string]any{"dim": []any{
				map[string]any{"size": "1"}, map[string]any{"size": "3"}, map[string]any{"size": "4"}, map[string]any{"size": "2"}}}}}},
			map[string]any{"name": "f", "op": "Const"}, map[string]any{"name": "b", "op": "Const"},
			map[string]any{"name": "dk", "op": "Const"}, map[string]any{"name": "db", "op": "Const"},
			map[string]any{"name": "ax", "op": "Const"},
			map[string]any{"name": "conv", "op": "Conv2D", "input": []any{"in", "f"}, "attr": map[string]any{
				"padding": map[string]any{"s": s("SAME")}, "strides": map[string]any{"list": map[string]any{"i": []any{"1", "1", "1", "1"}}}}},
			map[string]any{"name": "add", "op": "AddV2", "input": []any{"conv", "b"}},
			map[string]any{"name": "act", "op": "Relu6", "input": []any{"add"}},
			map[string]any{"name": "mean", "op": "Mean", "input": []any{"act", "ax"}, "attr": map[string]any{"keep_dims": map[string]any{"b": false}}},
			map[string]any{"name": "fc", "op": "_FusedMatMul", "input": []any{"mean", "dk", "db"}, "attr": map[string]any{
				"fused_ops": map[string]any{"list": map[string]any{"s": []any{s("BiasAdd")}}}}},
			map[string]any{"name": "Identity", "op": "Sigmoid", "input": []any{"fc"}},
		}},
		"weightsManifest": []any{map[string]any{"paths": []any{"w.bin"}, "weights": []any{
			map[string]any{"name": "f", "shape": []any{1, 1, C, K}, "dtype": "float32"},
			map[string]any{"name": "b", "shape": []any{K}, "dtype": "float32"},
			map[string]any{"name": "dk", "shape": []any{K, O}, "dtype": "float32"},
			map[string]any{"name": "db", "shape": []any{O}, "dtype": "float32"},
			map[string]any{"name": "ax", "shape": []any{2}, "dtype": "int32"},
		}}},
	}
	js, _ := json.Marshal(graph)
	if err := os.WriteFile(filepath.Join(dir, "m.json"), js, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "w.bin"), bin, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Convert(filepath.Join(dir, "m.json"), filepath.Join(dir, "m.onnx")); err != nil {
		t.Fatal(err)
	}
	// input: NHWC value x[h][w][c] = h - w + c*0.7, fed as NCHW
	in := make([]float32, C*H*W)
	var pooled [K]float64
	for h := range H {
		for w := range W {
			var px [C]float64
			for c := range C {
				px[c] = float64(h) - float64(w) + float64(c)*0.7
				in[(c*H+h)*W+w] = float32(px[c])
			}
			for k := range K {
				v := float64(bias[k])
				for c := range C {
					v += px[c] * float64(filter[c*K+k])
				}
				pooled[k] += math.Min(6, math.Max(0, v)) / (H * W)
			}
		}
	}
	sess, err := rt.Load(filepath.Join(dir, "m.onnx"), "in", []int64{1, C, H, W}, []string{"Identity"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	for o := range O {
		z := float64(dbias[o])
		for k := range K {
			z += pooled[k] * float64(dense[k*O+o])
		}
		want := 1 / (1 + math.Exp(-z))
		if math.Abs(float64(out[0][o])-want) > 1e-5 {
			t.Fatalf("output %d = %v, want %v", o, out[0][o], want)
		}
	}
}

// TestPadLayout: TF's NHWC [rank,2] paddings become ONNX's NCHW begins-then-ends (BlazeFace pads
// channels after a pooling).
func TestPadLayout(t *testing.T) {
	nodes := []tfNode{
		{Name: "x", Op: "Placeholder", Attr: map[string]tfAttrV{"shape": shapeAttr(1, 4, 4, 2)}},
		{Name: "p", Op: "Const"},
		{Name: "y", Op: "Pad", Input: []string{"x", "p"}},
	}
	// N (0,0), H (1,2), W (3,4), C (0,5)
	consts := map[string]constTensor{"p": {Shape: []int64{4, 2}, F32: []float32{0, 0, 1, 2, 3, 4, 0, 5}, Int: true}}
	m, err := build(nodes, consts)
	if err != nil {
		t.Fatal(err)
	}
	var pads []int64
	for _, n := range m.Nodes {
		if n.Op == "Pad" {
			for _, in := range m.Initializers {
				if in.Name == n.Inputs[1] {
					pads = in.I64
				}
			}
		}
	}
	if want := []int64{0, 0, 1, 3, 0, 5, 2, 4}; !slices.Equal(pads, want) {
		t.Fatalf("pads %v, want %v", pads, want)
	}
	consts["p"] = constTensor{Shape: []int64{2, 2}, F32: []float32{0, 0, 1, 1}, Int: true}
	if _, err := build(nodes, consts); err == nil {
		t.Error("a 2-D padding of a 4-D tensor accepted")
	}
}
