package detector

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"sync"

	"gocv.io/x/gocv"

	"github.com/ehraz/ehraz/plugins/liveness/hand"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Analysis scales: frames are analysed at most workWidth wide; masks and faces at smallWidth.
const (
	workWidth     = 640
	smallWidth    = 320
	maxFrameBytes = 8 << 20
	maxFrames     = 600
)

// frame is one decoded video frame at the two analysis scales (continuous BGR bytes).
type frame struct {
	idx   int
	ts    int64
	src   sdk.Frame
	work  hand.Frame
	small hand.Frame
	ok    bool
}

// decode reads one frame; a frame that does not decode, or whose real size differs from the size
// declared with it, is unreadable.
func decode(f sdk.Frame) (hand.Frame, hand.Frame, error) {
	if len(f.Image.Data) == 0 || len(f.Image.Data) > maxFrameBytes {
		return hand.Frame{}, hand.Frame{}, fmt.Errorf("frame of %d bytes", len(f.Image.Data))
	}
	if !complete(f.Image.Data) {
		return hand.Frame{}, hand.Frame{}, fmt.Errorf("frame is truncated")
	}
	m, err := gocv.IMDecode(f.Image.Data, gocv.IMReadColor)
	if err != nil {
		return hand.Frame{}, hand.Frame{}, fmt.Errorf("decode frame: %w", err)
	}
	defer m.Close()
	if m.Empty() || m.Cols() < 64 || m.Rows() < 48 {
		return hand.Frame{}, hand.Frame{}, fmt.Errorf("frame does not decode")
	}
	if (f.Image.Width != 0 && f.Image.Width != m.Cols()) || (f.Image.Height != 0 && f.Image.Height != m.Rows()) {
		return hand.Frame{}, hand.Frame{}, fmt.Errorf("frame is %dx%d, declared %dx%d", m.Cols(), m.Rows(), f.Image.Width, f.Image.Height)
	}
	work := m
	if m.Cols() > workWidth {
		r := gocv.NewMat()
		defer r.Close()
		gocv.Resize(m, &r, image.Pt(workWidth, m.Rows()*workWidth/m.Cols()), 0, 0, gocv.InterpolationArea)
		work = r
	}
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(work, &small, image.Pt(smallWidth, work.Rows()*smallWidth/work.Cols()), 0, 0, gocv.InterpolationArea)
	return hand.Frame{BGR: work.ToBytes(), W: work.Cols(), H: work.Rows()},
		hand.Frame{BGR: small.ToBytes(), W: small.Cols(), H: small.Rows()}, nil
}

// complete reports whether an encoded image ends properly (JPEG end-of-image marker, PNG IEND
// chunk): libjpeg fills a truncated JPEG with grey and decodes it without error.
func complete(b []byte) bool {
	tail := b[max(0, len(b)-64):]
	return bytes.Contains(tail, []byte{0xFF, 0xD9}) || bytes.Contains(tail, []byte("IEND"))
}

// parallel runs fn(i) for i in idx on n workers, stopping early when ctx ends.
func parallel(ctx context.Context, n int, idx []int, fn func(i int)) error {
	ch := make(chan int)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ch {
				fn(i)
			}
		}()
	}
	var err error
	for _, i := range idx {
		if err = ctx.Err(); err != nil {
			break
		}
		ch <- i
	}
	close(ch)
	wg.Wait()
	if err != nil {
		return fmt.Errorf("liveness analysis: %w", err)
	}
	return nil
}

func decodeAll(ctx context.Context, workers int, in []sdk.Frame) ([]frame, error) {
	out := make([]frame, len(in))
	idx := make([]int, len(in))
	for i := range in {
		idx[i] = i
	}
	err := parallel(ctx, workers, idx, func(i int) {
		w, s, err := decode(in[i])
		out[i] = frame{idx: i, ts: in[i].TimestampMS, src: in[i], work: w, small: s, ok: err == nil}
	})
	return out, err
}
