// Package facecheck is the face detector plugin's logic: selfie rules (one face, inside the
// guide, frontal, eyes open, sharp, well exposed, uncovered, not a photo of a photo, nobody
// behind — BlazeFace through plugins/onnxrun), face matching with go-face (dlib's ResNet
// descriptor) with a calibrated false-match estimate and the pair's quality, and cheap live hints
// at preview rate with an OpenCV Haar cascade. go-face, OpenCV and onnxruntime live only in the
// plugin process; the kiosk talks to it through plugins/sdk.
package facecheck
