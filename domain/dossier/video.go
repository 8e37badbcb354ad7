package dossier

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// VideoFormat is the media format name of a video stored by EncodeVideo.
const VideoFormat = "ehraz-frames"

// videoMagic starts every encoded video; the digit is the container version.
const videoMagic = "EHRZVID1"

// EncodeVideo packs the recorded frames into one blob the operator screen can play back. The
// container is deliberately simple (no codec: the frames are already JPEG or PNG):
//
//	"EHRZVID1"                      8 bytes, magic and version
//	uvarint  frame count
//	per frame:
//	  varint   timestamp, ms from the start of the recording
//	  uvarint  width, uvarint height (as the sender believed)
//	  uvarint  len(format), format ("jpeg", "png")
//	  uvarint  len(data), data      the encoded image
//
// Varints are encoding/binary's. DecodeVideo reverses it.
func EncodeVideo(frames []sdk.Frame) []byte {
	var b bytes.Buffer
	b.WriteString(videoMagic)
	b.Write(binary.AppendUvarint(nil, uint64(len(frames))))
	var tmp []byte
	for _, f := range frames {
		tmp = binary.AppendVarint(tmp[:0], f.TimestampMS)
		tmp = binary.AppendUvarint(tmp, uint64(max(f.Image.Width, 0)))
		tmp = binary.AppendUvarint(tmp, uint64(max(f.Image.Height, 0)))
		tmp = binary.AppendUvarint(tmp, uint64(len(f.Image.Format)))
		b.Write(tmp)
		b.WriteString(f.Image.Format)
		b.Write(binary.AppendUvarint(nil, uint64(len(f.Image.Data))))
		b.Write(f.Image.Data)
	}
	return b.Bytes()
}

var errVideo = errors.New("not an Ehraz video")

// DecodeVideo unpacks a blob written by EncodeVideo. It never trusts the counts in the blob
// beyond the bytes actually present.
func DecodeVideo(blob []byte) ([]sdk.Frame, error) {
	if !bytes.HasPrefix(blob, []byte(videoMagic)) {
		return nil, fmt.Errorf("decode video: %w (bad magic)", errVideo)
	}
	d := videoReader{b: blob[len(videoMagic):]}
	n := d.uvarint()
	// Each frame takes at least 5 bytes: a frame count above that is a lie.
	if d.err == nil && n > uint64(len(d.b))/5 {
		return nil, fmt.Errorf("decode video: %w (%d frames in %d bytes)", errVideo, n, len(d.b))
	}
	frames := make([]sdk.Frame, 0, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		var f sdk.Frame
		f.TimestampMS = d.varint()
		f.Image.Width = int(d.uvarint() & 0x7fffffff)
		f.Image.Height = int(d.uvarint() & 0x7fffffff)
		f.Image.Format = string(d.bytes())
		f.Image.Data = d.bytes()
		frames = append(frames, f)
	}
	if d.err != nil {
		return nil, fmt.Errorf("decode video: %w", d.err)
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("decode video: %w (%d trailing bytes)", errVideo, len(d.b))
	}
	return frames, nil
}

type videoReader struct {
	b   []byte
	err error
}

func (r *videoReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("%w (truncated)", errVideo)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *videoReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("%w (truncated)", errVideo)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *videoReader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = fmt.Errorf("%w (length %d beyond the end)", errVideo, n)
		return nil
	}
	out := bytes.Clone(r.b[:n])
	r.b = r.b[n:]
	return out
}
