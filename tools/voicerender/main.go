// Command voicerender pre-renders the kiosk's voice prompts at set-up (`make voice`): each step's
// instruction and the video's numbers, from the locale text, with espeak-ng, as
// <out>/<lang>/<locale key>.wav. A brokerage that records its own prompts puts WAVs with the same
// names in the folder instead (README "Voice guidance").
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/ehraz/ehraz/app/voice"
	"github.com/ehraz/ehraz/locales"
)

func main() {
	out := flag.String("out", "bin/voice", "folder to write <lang>/<key>.wav into")
	langs := flag.String("langs", "fa,en", "languages to render, comma-separated")
	minAge := flag.Int("min-age", 18, "the configured minimum age, for texts that name it")
	wpm := flag.Int("wpm", 140, "speaking rate in words per minute")
	flag.Parse()
	cat, err := locales.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, "voicerender:", err)
		os.Exit(1)
	}
	rep, err := voice.Render(context.Background(), voice.Engine{WordsPerMinute: *wpm}, cat.T, strings.Split(*langs, ","), *out,
		"min", strconv.Itoa(*minAge))
	for _, s := range rep.Skipped {
		fmt.Fprintln(os.Stderr, "voicerender: skipped", s)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "voicerender:", err)
		os.Exit(1)
	}
	fmt.Printf("voicerender: %d prompts written to %s\n", len(rep.Written), *out)
}
