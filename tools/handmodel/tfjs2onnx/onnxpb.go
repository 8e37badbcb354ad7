package tfjs2onnx

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// The ONNX messages this converter writes, encoded by hand with protowire (no ONNX Go protobuf
// package is needed). Field numbers follow onnx/onnx.proto (proto2): repeated scalars are
// written unpacked, which every reader accepts.

// ONNX element types used here.
const (
	dtFloat = 1
	dtInt32 = 6
	dtInt64 = 7
)

// ONNX attribute types used here.
const (
	attrFloat  = 1
	attrInt    = 2
	attrString = 3
	attrInts   = 7
)

// Tensor is an initializer.
type Tensor struct {
	Name string
	Dims []int64
	Type int // dtFloat or dtInt64
	F32  []float32
	I64  []int64
}

// Attr is a node attribute.
type Attr struct {
	Name string
	Type int
	F    float32
	I    int64
	S    string
	Ints []int64
}

// Node is one operator.
type Node struct {
	Op      string
	Name    string
	Inputs  []string
	Outputs []string
	Attrs   []Attr
}

// ValueInfo names a graph input or output with its float shape (-1: symbolic "N"; nil: unknown).
type ValueInfo struct {
	Name  string
	Shape []int64
}

// Model is the whole ONNX model.
type Model struct {
	Opset        int64
	Producer     string
	GraphName    string
	Nodes        []Node
	Initializers []Tensor
	Inputs       []ValueInfo
	Outputs      []ValueInfo
}

func appendMsg(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

func appendStr(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendInt(b []byte, num protowire.Number, v int64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

func (t Tensor) encode() []byte {
	var b []byte
	for _, d := range t.Dims {
		b = appendInt(b, 1, d)
	}
	b = appendInt(b, 2, int64(t.Type))
	b = appendStr(b, 8, t.Name)
	var raw []byte
	switch t.Type {
	case dtFloat:
		raw = make([]byte, 4*len(t.F32))
		for i, v := range t.F32 {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
		}
	case dtInt64:
		raw = make([]byte, 8*len(t.I64))
		for i, v := range t.I64 {
			binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
		}
	}
	b = protowire.AppendTag(b, 9, protowire.BytesType)
	return protowire.AppendBytes(b, raw)
}

func (a Attr) encode() []byte {
	var b []byte
	b = appendStr(b, 1, a.Name)
	switch a.Type {
	case attrFloat:
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.F))
	case attrInt:
		b = appendInt(b, 3, a.I)
	case attrString:
		b = protowire.AppendTag(b, 4, protowire.BytesType)
		b = protowire.AppendBytes(b, []byte(a.S))
	case attrInts:
		for _, v := range a.Ints {
			b = appendInt(b, 8, v)
		}
	}
	return appendInt(b, 20, int64(a.Type))
}

func (n Node) encode() []byte {
	var b []byte
	for _, s := range n.Inputs {
		b = appendStr(b, 1, s)
	}
	for _, s := range n.Outputs {
		b = appendStr(b, 2, s)
	}
	b = appendStr(b, 3, n.Name)
	b = appendStr(b, 4, n.Op)
	for _, a := range n.Attrs {
		b = appendMsg(b, 5, a.encode())
	}
	return b
}

func (v ValueInfo) encode() []byte {
	var shape []byte
	for _, d := range v.Shape {
		var dim []byte
		if d < 0 {
			dim = appendStr(dim, 2, "N")
		} else {
			dim = appendInt(dim, 1, d)
		}
		shape = appendMsg(shape, 1, dim)
	}
	var tensorType []byte
	tensorType = appendInt(tensorType, 1, dtFloat)
	if v.Shape != nil {
		tensorType = appendMsg(tensorType, 2, shape)
	}
	var typ []byte
	typ = appendMsg(typ, 1, tensorType)
	var b []byte
	b = appendStr(b, 1, v.Name)
	return appendMsg(b, 2, typ)
}

// Encode serializes the model as an ONNX ModelProto (IR version 7).
func (m Model) Encode() []byte {
	var g []byte
	for _, n := range m.Nodes {
		g = appendMsg(g, 1, n.encode())
	}
	g = appendStr(g, 2, m.GraphName)
	for _, t := range m.Initializers {
		g = appendMsg(g, 5, t.encode())
	}
	for _, v := range m.Inputs {
		g = appendMsg(g, 11, v.encode())
	}
	for _, v := range m.Outputs {
		g = appendMsg(g, 12, v.encode())
	}
	var opset []byte
	opset = appendStr(opset, 1, "")
	opset = appendInt(opset, 2, m.Opset)
	var b []byte
	b = appendInt(b, 1, 7)
	b = appendStr(b, 2, m.Producer)
	b = appendMsg(b, 7, g)
	return appendMsg(b, 8, opset)
}
