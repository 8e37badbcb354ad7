// Package synth draws labelled synthetic material: the scenes the demo camera acts out and the
// test and evaluation sets of the detector plugins. Neither the camera nor the plugins own it; it
// depends on the plugins' shared types (plugins/sdk) and the standard library only. Everything is
// pure Go and deterministic from a seed, so tests, `ehrazctl eval` and the demo camera build the
// same pictures without committing images or linking OpenCV. What it proves is limited: renders
// are not real hands, sheets or rooms, and the attacks are simulations.
//
// Three families, one per file group:
//
//   - Challenge clips for the liveness plugin (clip.go, hand.go, facebox.go; MakeClip), since no
//     registry ships hand-gesture videos: rendered hands (palm and finger capsules in skin tones,
//     rotated, scaled, mirrored) showing an exact number, composited with a real face photo over
//     a white wall, and presentation attacks (ClipKind: a face on a phone screen with bezel,
//     moiré and glare; a halftone print; a flat photo warped over frames).
//   - Signature scenes for the signature plugin (sheet.go, pen.go, raster.go; RenderSheet):
//     synthetic signatures (pen strokes along random splines of varying width) on paper, placed
//     in table scenes with perspective, uneven light, blur, noise and JPEG, plus labelled
//     negatives (SheetKind: blank sheet, no paper, dark, blurred, shaken, far, shadow, glare,
//     printed page, scribble, two signatures), each with the rule a correct detector fails.
//   - The demo camera's scenes (demo.go, head.go): the person's head and shoulders on a white
//     wall (FaceScene), a signed sheet drifting as held by a hand (SignatureScene) and the person
//     showing numbers with a rendered hand (ChallengeScene), built from the two generators above.
//     Package capture plays them as a camera source.
//
// warp.go holds the geometry both generators share (homographies, sampling, resizing).
package synth
