package dossier

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

func TestVideoRoundTrip(t *testing.T) {
	for _, in := range [][]sdk.Frame{
		nil,
		frames(1),
		frames(40),
		{{TimestampMS: -5, Image: sdk.Image{Format: "png", Width: 640, Height: 480, Data: []byte{0, 1, 2}}},
			{TimestampMS: 1 << 40, Image: sdk.Image{}}},
	} {
		blob := EncodeVideo(in)
		out, err := DecodeVideo(blob)
		if err != nil {
			t.Fatalf("decode %d frames: %v", len(in), err)
		}
		if !framesEqual(in, out) {
			t.Fatalf("round trip changed the frames: %v → %v", in, out)
		}
	}
}

func framesEqual(a, b []sdk.Frame) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.TimestampMS != y.TimestampMS || x.Image.Format != y.Image.Format || x.Image.Width != y.Image.Width ||
			x.Image.Height != y.Image.Height || !bytes.Equal(x.Image.Data, y.Image.Data) {
			return false
		}
	}
	return true
}

func TestDecodeVideoRejectsDamage(t *testing.T) {
	good := EncodeVideo(frames(3))
	for name, blob := range map[string][]byte{
		"empty":       nil,
		"bad magic":   append([]byte("EHRZVID9"), good[8:]...),
		"truncated":   good[:len(good)-3],
		"trailing":    append(append([]byte{}, good...), 0),
		"huge count":  append([]byte(videoMagic), 0xff, 0xff, 0xff, 0xff, 0x0f),
		"huge length": append([]byte(videoMagic), 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f),
	} {
		if _, err := DecodeVideo(blob); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzDecodeVideo(f *testing.F) {
	f.Add(EncodeVideo(frames(2)))
	f.Add([]byte(videoMagic))
	f.Add([]byte("EHRZVID1\x01\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, blob []byte) {
		fr, err := DecodeVideo(blob)
		if err != nil {
			return
		}
		// Whatever decodes survives a re-encoding unchanged. (The bytes may differ: varints have
		// overlong spellings that decode to the same numbers.)
		again, err := DecodeVideo(EncodeVideo(fr))
		if err != nil || !framesEqual(again, fr) {
			t.Fatalf("re-encoded video decodes differently: %v", err)
		}
	})
}

func frames(n int) []sdk.Frame {
	out := make([]sdk.Frame, n)
	for i := range out {
		out[i] = sdk.Frame{Image: sdk.Image{Data: []byte(fmt.Sprintf("frame-%d", i)), Format: "jpeg"},
			TimestampMS: int64(i) * 125}
	}
	return out
}
