package capture

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// TimestampLog is a recording's sidecar: one line per frame written, with the frame's number in
// the file, the source's Seq, its capture time (Unix ms) and its offset from the first frame.
type TimestampLog struct {
	f     *os.File
	w     *bufio.Writer
	n     int
	first time.Time
}

// TimestampHeader is the sidecar's first line.
const TimestampHeader = "frame\tseq\tunix_ms\toffset_ms"

// CreateTimestampLog creates the sidecar at path.
func CreateTimestampLog(path string) (*TimestampLog, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("capture: timestamps: %w", err)
	}
	l := &TimestampLog{f: f, w: bufio.NewWriter(f)}
	if _, err := l.w.WriteString(TimestampHeader + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("capture: timestamps: %w", err)
	}
	return l, nil
}

// Add records the next frame.
func (l *TimestampLog) Add(f Frame) error {
	if l.n == 0 {
		l.first = f.Time
	}
	_, err := fmt.Fprintf(l.w, "%d\t%d\t%d\t%d\n", l.n, f.Seq, f.Time.UnixMilli(), f.Time.Sub(l.first).Milliseconds())
	l.n++
	if err != nil {
		return fmt.Errorf("capture: timestamps: %w", err)
	}
	return nil
}

// Close flushes and closes the sidecar.
func (l *TimestampLog) Close() error {
	err := l.w.Flush()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("capture: timestamps: %w", err)
	}
	return nil
}

// Stamp is one sidecar line.
type Stamp struct {
	Frame    int
	Seq      uint64
	Time     time.Time
	OffsetMS int64
}

// ReadTimestamps reads a sidecar written by TimestampLog.
func ReadTimestamps(path string) ([]Stamp, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("capture: timestamps: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) == 0 || lines[0] != TimestampHeader {
		return nil, fmt.Errorf("capture: timestamps %s: bad header", path)
	}
	out := make([]Stamp, 0, len(lines)-1)
	for i, ln := range lines[1:] {
		c := strings.Split(ln, "\t")
		if len(c) != 4 {
			return nil, fmt.Errorf("capture: timestamps line %d: %d columns", i+2, len(c))
		}
		var v [4]int64
		for j := range c {
			if v[j], err = strconv.ParseInt(c[j], 10, 64); err != nil {
				return nil, fmt.Errorf("capture: timestamps line %d: %w", i+2, err)
			}
		}
		out = append(out, Stamp{Frame: int(v[0]), Seq: uint64(v[1]), Time: time.UnixMilli(v[2]), OffsetMS: v[3]})
	}
	return out, nil
}
