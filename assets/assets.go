// Package assets holds the kiosk's drawn pictures as SVG, embedded in the binary: a pictogram
// per step of the flow (steps/<step>.svg, named like flow.Step) and larger guide drawings of
// what a step asks for (guide/pose.svg, guide/sheet.svg, guide/fingers.svg). They are drawn
// shapes only, no photographs of people; a brokerage may replace any file by one of the same
// name before building.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed steps/*.svg guide/*.svg
var files embed.FS

// Step returns the pictogram of a flow step by its name ("mobile", "selfie", …).
func Step(name string) ([]byte, bool) { return read("steps/" + name + ".svg") }

// Guide returns a guide drawing by name ("pose", "sheet", "fingers").
func Guide(name string) ([]byte, bool) { return read("guide/" + name + ".svg") }

// Names lists every embedded picture as dir/name.svg.
func Names() ([]string, error) {
	var out []string
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	return out, err
}

func read(p string) ([]byte, bool) {
	b, err := files.ReadFile(p)
	return b, err == nil
}
