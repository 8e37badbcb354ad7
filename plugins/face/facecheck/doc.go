// Package facecheck is the face detector plugin's logic: selfie rules (one face, inside the
// guide, frontal, eyes open, sharp, well exposed, uncovered, not a photo of a photo), face
// matching with go-face (dlib's ResNet descriptor) at a calibrated threshold, and cheap live
// hints at preview rate with an OpenCV Haar cascade. go-face and OpenCV live only in the plugin
// process; the kiosk talks to it through plugins/sdk.
package facecheck
