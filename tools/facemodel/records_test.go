package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"testing"
)

func TestHWIOToOIHW(t *testing.T) {
	// h=1, w=2, in=2, out=3: src index ((y*w+x)*in+i)*out+o holds the value 1000*o+100*i+10*y+x.
	src := tensor{Name: "k", Shape: []int{1, 2, 2, 3}, Data: make([]float32, 12)}
	for x := 0; x < 2; x++ {
		for i := 0; i < 2; i++ {
			for o := 0; o < 3; o++ {
				src.Data[(x*2+i)*3+o] = float32(1000*o + 100*i + x)
			}
		}
	}
	got, err := hwioToOIHW(src)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ o, i, x int }{{0, 0, 0}, {2, 1, 1}, {1, 0, 1}, {2, 0, 0}}
	for _, tc := range tests {
		if v := got[(tc.o*2+tc.i)*2+tc.x]; v != float32(1000*tc.o+100*tc.i+tc.x) {
			t.Errorf("dst[o=%d][i=%d][x=%d] = %v", tc.o, tc.i, tc.x, v)
		}
	}
	if _, err := hwioToOIHW(tensor{Name: "bad", Shape: []int{3, 3}}); err == nil {
		t.Error("2-D filter accepted")
	}
}

func TestDecodeGroup(t *testing.T) {
	raw := make([]byte, 4)
	binary.LittleEndian.PutUint32(raw, math.Float32bits(1.5))
	tests := []struct {
		name    string
		spec    string
		buf     []byte
		want    []float32
		wantErr bool
	}{
		{"uint8", `{"name":"a","shape":[3],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1}}`, []byte{0, 2, 255}, []float32{-1, 0, 126.5}, false},
		{"float32", `{"name":"b","shape":[1],"dtype":"float32"}`, raw, []float32{1.5}, false},
		{"truncated", `{"name":"c","shape":[4],"dtype":"float32","quantization":{"dtype":"uint8","scale":1,"min":0}}`, []byte{1}, nil, true},
		{"uint16", `{"name":"d","shape":[1],"dtype":"float32","quantization":{"dtype":"uint16","scale":1,"min":0}}`, []byte{1, 2}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var g manifestEntry
			if err := json.Unmarshal([]byte(`{"weights":[`+tc.spec+`]}`), &g); err != nil {
				t.Fatal(err)
			}
			ts, _, err := decodeGroup(g.Weights, tc.buf)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			for i, w := range tc.want {
				if ts[0].Data[i] != w {
					t.Errorf("value %d = %v, want %v", i, ts[0].Data[i], w)
				}
			}
		})
	}
}

func TestDLibRecords(t *testing.T) {
	ts := []tensor{
		{Name: "x/conv/filters", Shape: []int{1, 1, 1, 2}, Data: []float32{1, 2}},
		{Name: "x/conv/bias", Shape: []int{2}, Data: []float32{3, 4}},
		{Name: "x/scale/weights", Shape: []int{2}, Data: []float32{5, 6}},
		{Name: "x/scale/biases", Shape: []int{2}, Data: []float32{7, 8}},
		{Name: "fc", Shape: []int{1, 2}, Data: []float32{9, 10}},
	}
	recs, err := dlibRecords(ts)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || len(recs[0]) != 4 || recs[0][3] != 4 || recs[1][2] != 7 || recs[2][1] != 10 {
		t.Fatalf("records %v", recs)
	}
	var buf bytes.Buffer
	if err := writeRecords(&buf, recs); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 3*4+4*(4+4+2) || binary.LittleEndian.Uint32(buf.Bytes()) != 4 {
		t.Errorf("encoded %d bytes", buf.Len())
	}
	if _, err := dlibRecords(ts[:1]); err == nil {
		t.Error("filters without bias accepted")
	}
}
