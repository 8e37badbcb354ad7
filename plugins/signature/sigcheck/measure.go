package sigcheck

import (
	"context"

	"gocv.io/x/gocv"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// scale sets how finely a picture is examined: a captured still is judged at camera resolution,
// a preview frame at a smaller size for speed.
type scale struct {
	detectW  int  // width the paper search runs at
	sheetMax int  // longest side of the rectified sheet
	halve    bool // decode large pictures at half size
}

// fullScale examines captured stills; previewScale live frames.
func fullScale() scale    { return scale{detectW: 640, sheetMax: 1400} }
func previewScale() scale { return scale{detectW: 480, sheetMax: 720, halve: true} }

// measurement is everything the rules look at.
type measurement struct {
	sheet sheet
	ink   *inkStats // nil when no sheet was found
}

// measure decodes img and measures it; bad is a reason key when the picture cannot be judged.
func measure(ctx context.Context, img sdk.Image, sc scale) (measurement, string) {
	bgr, bad := decode(img, sc.halve)
	if bad != "" {
		return measurement{}, bad
	}
	defer bgr.Close()
	if ctx.Err() != nil {
		return measurement{}, reasonCancelled
	}
	m := measurement{sheet: findSheet(bgr, sc.detectW)}
	if !m.sheet.found {
		return m, ""
	}
	gray := gocv.NewMat()
	defer gray.Close()
	gocv.CvtColor(bgr, &gray, gocv.ColorBGRToGray)
	flat := rectify(gray, m.sheet.quad, sc.sheetMax)
	defer flat.Close()
	if ctx.Err() != nil {
		return measurement{}, reasonCancelled
	}
	st := analyseInk(flat)
	m.ink = &st
	return m, ""
}
