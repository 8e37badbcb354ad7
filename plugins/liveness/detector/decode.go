package detector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // frame headers are read before OpenCV decodes the pixels
	_ "image/png"
	"sync"

	"gocv.io/x/gocv"

	"github.com/ehraz/ehraz/plugins/liveness/hand"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Analysis scales: frames are analysed at most workWidth wide; masks and faces at smallWidth.
// Limits, all checked before any pixel is decoded: a frame's encoded size and the size its
// header declares, and the frames and encoded bytes of a whole video.
const (
	workWidth      = 640
	smallWidth     = 320
	minFrameWidth  = 64
	minFrameHeight = 48
	maxFrameSide   = 8192
	maxFramePixels = 32 << 20
	// maxFrameAspect bounds long side over short side: frames are reduced by width only, so a
	// tall strip would keep (or grow to) megabytes per frame at both analysis scales.
	maxFrameAspect = 3
	maxFrameBytes  = 8 << 20
	maxFrames      = 600
	// maxVideoBytes bounds the frames a video asks to decode: what one protocol message can carry.
	maxVideoBytes = sdk.MaxMessageBytes
)

var (
	// errRefused marks a frame refused from its bytes and header, before any pixel is decoded.
	errRefused = errors.New("frame refused before decoding")
	// errVideoTooLarge refuses a video over maxFrames frames or maxVideoBytes before any
	// decoding; its reason key is verdict.liveness.video.too_large.
	errVideoTooLarge = errors.New("video too large")
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
	w, h, err := checkHeader(f.Image.Data)
	if err != nil {
		return hand.Frame{}, hand.Frame{}, err
	}
	m, err := gocv.IMDecode(f.Image.Data, gocv.IMReadColor)
	if err != nil {
		return hand.Frame{}, hand.Frame{}, fmt.Errorf("decode frame: %w", err)
	}
	defer m.Close()
	// OpenCV may turn the picture by its EXIF orientation; any other size than the header's means
	// the two parsers read different pictures.
	if m.Empty() || !(m.Cols() == w && m.Rows() == h || m.Cols() == h && m.Rows() == w) {
		return hand.Frame{}, hand.Frame{}, fmt.Errorf("frame does not decode as its %dx%d header", w, h)
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

// checkHeader refuses a frame from its bytes and header alone: empty or over maxFrameBytes,
// truncated, not a JPEG or PNG the header parser reads, or declaring a size outside
// minFrameWidth×minFrameHeight … maxFrameSide, maxFramePixels and maxFrameAspect.
func checkHeader(data []byte) (w, h int, err error) {
	if len(data) == 0 || len(data) > maxFrameBytes {
		return 0, 0, fmt.Errorf("frame of %d bytes: %w", len(data), errRefused)
	}
	if !complete(data) {
		return 0, 0, fmt.Errorf("frame is truncated: %w", errRefused)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, fmt.Errorf("frame header: %v: %w", err, errRefused)
	}
	w, h = cfg.Width, cfg.Height
	if w < minFrameWidth || h < minFrameHeight || w > maxFrameSide || h > maxFrameSide || w*h > maxFramePixels ||
		max(w, h) > maxFrameAspect*min(w, h) {
		return 0, 0, fmt.Errorf("frame header declares %dx%d: %w", w, h, errRefused)
	}
	return w, h, nil
}

// videoTooLarge reports whether the frames that would be decoded (those within maxFrameBytes;
// larger ones are refused unread) add up to more than maxVideoBytes.
func videoTooLarge(frames []sdk.Frame) bool {
	total := 0
	for _, f := range frames {
		if n := len(f.Image.Data); n <= maxFrameBytes {
			total += n
		}
	}
	return total > maxVideoBytes
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

// decodeAll decodes every frame on workers; a video over the limits is refused unread.
func decodeAll(ctx context.Context, workers int, in []sdk.Frame) ([]frame, error) {
	if len(in) > maxFrames || videoTooLarge(in) {
		return nil, fmt.Errorf("decode %d frames: %w", len(in), errVideoTooLarge)
	}
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
