package voice

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// WAV is a decoded PCM prompt, mixed down to mono.
type WAV struct {
	Rate    int
	Samples []int16
}

// Duration is how long the prompt plays, in seconds.
func (w WAV) Duration() float64 {
	if w.Rate == 0 {
		return 0
	}
	return float64(len(w.Samples)) / float64(w.Rate)
}

// Peak is the largest absolute sample (0 for silence).
func (w WAV) Peak() int {
	p := 0
	for _, s := range w.Samples {
		v := int(s)
		if v < 0 {
			v = -v
		}
		p = max(p, v)
	}
	return p
}

// maxWAVBytes bounds a prompt file (a minute of 48 kHz stereo is 11 MB).
const maxWAVBytes = 16 << 20

// ParseWAV decodes a RIFF/WAVE file of 8- or 16-bit integer PCM, any rate and channel count
// (espeak-ng writes 22050 Hz mono 16-bit; a brokerage's recordings may be anything a sound
// editor exports as PCM WAV). Channels are averaged to mono. A file that is not such a WAV is
// refused: the prompt folder is configuration, not trusted.
func ParseWAV(b []byte) (WAV, error) {
	if len(b) > maxWAVBytes {
		return WAV{}, fmt.Errorf("wav: %d bytes, over the %d limit", len(b), maxWAVBytes)
	}
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return WAV{}, errors.New("wav: not a RIFF/WAVE file")
	}
	var rate, channels, bits int
	var data []byte
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		p += 8
		if size < 0 || size > len(b)-p {
			// espeak-ng writing to a pipe leaves the data size at its maximum: take what is there.
			if id == "data" {
				size = len(b) - p
			} else {
				return WAV{}, fmt.Errorf("wav: chunk %q runs past the end", id)
			}
		}
		switch id {
		case "fmt ":
			if size < 16 {
				return WAV{}, errors.New("wav: short fmt chunk")
			}
			format := binary.LittleEndian.Uint16(b[p:])
			channels = int(binary.LittleEndian.Uint16(b[p+2:]))
			rate = int(binary.LittleEndian.Uint32(b[p+4:]))
			bits = int(binary.LittleEndian.Uint16(b[p+14:]))
			if format != 1 && format != 0xFFFE {
				return WAV{}, fmt.Errorf("wav: format %d, want integer PCM", format)
			}
		case "data":
			data = b[p : p+size]
		}
		p += size + size&1
	}
	switch {
	case rate < 4000 || rate > 192000:
		return WAV{}, fmt.Errorf("wav: sample rate %d", rate)
	case channels < 1 || channels > 8:
		return WAV{}, fmt.Errorf("wav: %d channels", channels)
	case bits != 8 && bits != 16:
		return WAV{}, fmt.Errorf("wav: %d-bit samples, want 8 or 16", bits)
	case data == nil:
		return WAV{}, errors.New("wav: no data chunk")
	}
	frame := channels * bits / 8
	n := len(data) / frame
	out := make([]int16, n)
	for i := range n {
		sum := 0
		for c := range channels {
			off := i*frame + c*bits/8
			if bits == 16 {
				sum += int(int16(binary.LittleEndian.Uint16(data[off:])))
			} else {
				sum += (int(data[off]) - 128) << 8
			}
		}
		out[i] = int16(sum / channels)
	}
	return WAV{Rate: rate, Samples: out}, nil
}

// Resample converts w to rate by linear interpolation (speech prompts: quality enough).
func (w WAV) Resample(rate int) WAV {
	if w.Rate == rate || w.Rate == 0 || len(w.Samples) == 0 {
		return w
	}
	n := int(math.Round(float64(len(w.Samples)) * float64(rate) / float64(w.Rate)))
	out := make([]int16, n)
	step := float64(w.Rate) / float64(rate)
	for i := range n {
		x := float64(i) * step
		j := int(x)
		if j+1 >= len(w.Samples) {
			out[i] = w.Samples[len(w.Samples)-1]
			continue
		}
		f := x - float64(j)
		out[i] = int16(math.Round(float64(w.Samples[j])*(1-f) + float64(w.Samples[j+1])*f))
	}
	return WAV{Rate: rate, Samples: out}
}

// PCM16 is the samples as little-endian signed 16-bit bytes (what the player reads).
func (w WAV) PCM16() []byte {
	b := make([]byte, 2*len(w.Samples))
	for i, s := range w.Samples {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(s))
	}
	return b
}
