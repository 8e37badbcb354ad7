package voice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Text gives a locale key's text in a language, placeholders filled from args (locales.Catalog.T).
type Text func(lang, key string, args ...string) string

// Engine is the speech engine Render runs: espeak-ng by default.
type Engine struct {
	// Command is the program [espeak-ng].
	Command string
	// Voices maps a language to the engine's voice [fa → fa, en → en].
	Voices map[string]string
	// WordsPerMinute is the speaking rate [140: slower than espeak-ng's 175, for people who read
	// with difficulty].
	WordsPerMinute int
}

func (e Engine) defaults() Engine {
	if e.Command == "" {
		e.Command = "espeak-ng"
	}
	if e.Voices == nil {
		e.Voices = map[string]string{"fa": "fa", "en": "en"}
	}
	if e.WordsPerMinute <= 0 {
		e.WordsPerMinute = 140
	}
	return e
}

// Report is what a Render wrote and what it left out.
type Report struct {
	Written []string // lang/key
	Skipped []string // lang/key: reason
}

// Render speaks every key of Keys() in each language into <dir>/<lang>/<key>.wav with the
// engine, the text taken from the locales (args fill placeholders such as the minimum age; a
// key whose text still has a placeholder is skipped: a pre-rendered prompt cannot say a value
// known only at run time). Each WAV written is read back and must decode to at least a tenth of
// a second of sound.
func Render(ctx context.Context, e Engine, text Text, langs []string, dir string, args ...string) (Report, error) {
	e = e.defaults()
	if _, err := exec.LookPath(e.Command); err != nil {
		return Report{}, fmt.Errorf("voice: %s is not installed (apt-get install espeak-ng): %w", e.Command, err)
	}
	var rep Report
	for _, lang := range langs {
		v, ok := e.Voices[lang]
		if !ok {
			return rep, fmt.Errorf("voice: no %s voice for language %q", e.Command, lang)
		}
		if err := os.MkdirAll(filepath.Join(dir, lang), 0o755); err != nil {
			return rep, fmt.Errorf("voice: %w", err)
		}
		for _, key := range Keys() {
			s := strings.TrimSpace(text(lang, key, args...))
			if s == "" || s == key {
				rep.Skipped = append(rep.Skipped, lang+"/"+key+": no text")
				continue
			}
			if strings.ContainsAny(s, "{}") {
				rep.Skipped = append(rep.Skipped, lang+"/"+key+": a placeholder is left")
				continue
			}
			out := filepath.Join(dir, lang, key+".wav")
			if err := e.speak(ctx, v, s, out); err != nil {
				return rep, err
			}
			rep.Written = append(rep.Written, lang+"/"+key)
		}
	}
	return rep, nil
}

// speak runs the engine for one text into out (written beside, then renamed) and checks it.
func (e Engine) speak(ctx context.Context, voice, text, out string) error {
	tmp := out + ".tmp"
	var stderr bytes.Buffer
	// The text goes on standard input, never as an argument the engine could read as an option.
	cmd := exec.CommandContext(ctx, e.Command, "-v", voice, "-s", fmt.Sprint(e.WordsPerMinute), "-w", tmp, "--stdin")
	cmd.Stdin, cmd.Stderr = strings.NewReader(text), &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("voice: %s %s: %w: %s", e.Command, filepath.Base(out), err, strings.TrimSpace(stderr.String()))
	}
	b, err := os.ReadFile(tmp)
	if err == nil {
		var w WAV
		if w, err = ParseWAV(b); err == nil && (w.Duration() < 0.1 || w.Peak() == 0) {
			err = errors.New("the prompt is silent")
		}
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("voice: %s: %w", filepath.Base(out), err)
	}
	return os.Rename(tmp, out)
}
