package flow

import (
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// VideoFormat is the media format name of a recorded video (dossier.VideoFormat): the
// container travels in the dossier, so its definition lives with the dossier format, where the
// back office's console reads it too.
const VideoFormat = dossier.VideoFormat

// EncodeVideo packs recorded frames (dossier.EncodeVideo).
func EncodeVideo(frames []sdk.Frame) []byte { return dossier.EncodeVideo(frames) }

// DecodeVideo unpacks a blob written by EncodeVideo (dossier.DecodeVideo).
func DecodeVideo(blob []byte) ([]sdk.Frame, error) { return dossier.DecodeVideo(blob) }
