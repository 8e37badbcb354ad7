// Package calibration maps a face-descriptor distance to an estimated false-match rate: the
// table the face plugin ships (reference.tsv, embedded) or reads from its models folder, how
// `ehrazctl eval face --calibrate` fits it from labelled photo sets, and its file format.
//
// Method. For each calibration set s, with n_s different-person ("impostor") pairs, the share of
// those pairs at or under a distance d is the empirical false-match rate F_s(d). The table gives,
// at every grid distance d, the one-sided 95% Wilson upper bound of F_s(d) and takes the largest
// over the sets: the false-match rate is estimated for the population whose look-alikes are
// hardest to tell apart, and a set of a few hundred pairs cannot claim a rate under its floor
// (≈ 2.7/n_s at no pair seen). The value is non-decreasing in d by construction. Between grid
// points a distance takes the value of the next grid point up (never the lower one).
package calibration

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// FileName is the table's name in the face plugin's models folder (models/face).
const FileName = "match_calibration.tsv"

// Step is the grid spacing of a fitted table, in distance units.
const Step = 0.005

// z95 is the standard normal quantile for a one-sided 95% bound.
const z95 = 1.6448536269514722

//go:embed reference.tsv
var reference []byte

// Row is one grid point: at distances up to Distance (and above the previous row's) the
// estimated false-match rate is FMR.
type Row struct {
	Distance, FMR float64
}

// Table is a fitted calibration: rows with strictly increasing distances and non-decreasing FMR.
type Table struct {
	// Comments are the file's leading "# " lines: the data and method it came from.
	Comments []string
	Rows     []Row
	// ID names the table for the record: "<source>@<first 12 hex of the file's SHA-256>", the
	// source being the file's name without .tsv ("reference" for the built-in table).
	ID string
}

// Set is one labelled photo set's different-person distances.
type Set struct {
	Name     string
	Impostor []float64
}

// Reference is the table the plugin ships, fitted on the project's shared photo sets.
func Reference() (Table, error) {
	t, err := Parse(reference, "reference")
	if err != nil {
		return Table{}, fmt.Errorf("embedded reference table: %w", err)
	}
	return t, nil
}

// WilsonUpper is the one-sided 95% Wilson score upper bound of a rate seen k times in n.
func WilsonUpper(k, n int) float64 {
	if n <= 0 {
		return 1
	}
	if k >= n {
		return 1
	}
	p, fn, z2 := float64(k)/float64(n), float64(n), z95*z95
	centre := p + z2/(2*fn)
	spread := z95 * math.Sqrt(p*(1-p)/fn+z2/(4*fn*fn))
	return math.Min(1, (centre+spread)/(1+z2/fn))
}

// Fit builds the table from the sets (see the package comment for the method). The grid runs
// from 0 to the first multiple of Step at or over the largest impostor distance, where every
// set's rate is 1. At least one set with an impostor pair is needed.
func Fit(sets []Set) (Table, error) {
	top := 0.0
	var sorted [][]float64
	for _, s := range sets {
		if len(s.Impostor) == 0 {
			continue
		}
		v := append([]float64(nil), s.Impostor...)
		sort.Float64s(v)
		if math.IsNaN(v[0]) || v[0] < 0 || math.IsInf(v[len(v)-1], 0) || math.IsNaN(v[len(v)-1]) {
			return Table{}, fmt.Errorf("set %s: distances must be finite and not negative", s.Name)
		}
		sorted = append(sorted, v)
		top = math.Max(top, v[len(v)-1])
	}
	if len(sorted) == 0 {
		return Table{}, errors.New("fit: no different-person pairs in any set")
	}
	last := int(math.Ceil(top/Step - 1e-9))
	t := Table{Rows: make([]Row, 0, last+1)}
	for i := 0; i <= last; i++ {
		d := round(float64(i) * Step)
		est := 0.0
		for _, v := range sorted {
			k := sort.Search(len(v), func(j int) bool { return v[j] > d })
			est = math.Max(est, WilsonUpper(k, len(v)))
		}
		t.Rows = append(t.Rows, Row{Distance: d, FMR: est})
	}
	t.Rows[len(t.Rows)-1].FMR = 1 // every impostor pair lies at or under the last row
	return t, nil
}

func round(d float64) float64 { return math.Round(d*1e6) / 1e6 }

// FMR is the estimated false-match rate at distance d: the value of the first row at or above d;
// past the last row, the last row's value. A NaN or negative distance is not a measurement: 1.
func (t Table) FMR(d float64) float64 {
	if math.IsNaN(d) || d < 0 || len(t.Rows) == 0 {
		return 1
	}
	i := sort.Search(len(t.Rows), func(i int) bool { return t.Rows[i].Distance >= d })
	if i == len(t.Rows) {
		return t.Rows[len(t.Rows)-1].FMR
	}
	return t.Rows[i].FMR
}

// DistanceAt is the largest distance whose estimated FMR is at or under limit, and false when even
// the smallest distance's estimate is above it (nothing can pass at that limit).
func (t Table) DistanceAt(limit float64) (float64, bool) {
	i := sort.Search(len(t.Rows), func(i int) bool { return t.Rows[i].FMR > limit })
	if i == 0 {
		return 0, false
	}
	if i == len(t.Rows) {
		return math.Inf(1), true
	}
	return t.Rows[i-1].Distance, true
}

// Floor is the smallest FMR the table can state (its first row).
func (t Table) Floor() float64 {
	if len(t.Rows) == 0 {
		return 1
	}
	return t.Rows[0].FMR
}

// Parse reads a table file: "# " comment lines, a "distance\test_fmr" header, then one row per
// line. Rows must have strictly increasing distances from 0 and FMRs in 0..1 that never decrease;
// anything else is an error (a table that is not monotonic would let a farther face pass).
func Parse(b []byte, source string) (Table, error) {
	sum := sha256.Sum256(b)
	t := Table{ID: source + "@" + hex.EncodeToString(sum[:])[:12]}
	sc := bufio.NewScanner(bytes.NewReader(b))
	header := false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "#"):
			t.Comments = append(t.Comments, strings.TrimSpace(strings.TrimPrefix(line, "#")))
			continue
		case !header:
			if line != "distance\test_fmr" {
				return Table{}, fmt.Errorf("line %d: want the header distance<TAB>est_fmr, got %q", n, line)
			}
			header = true
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 2 {
			return Table{}, fmt.Errorf("line %d: want two tab-separated numbers", n)
		}
		d, err1 := strconv.ParseFloat(f[0], 64)
		p, err2 := strconv.ParseFloat(f[1], 64)
		if err := errors.Join(err1, err2); err != nil {
			return Table{}, fmt.Errorf("line %d: %w", n, err)
		}
		if math.IsNaN(d) || math.IsInf(d, 0) || d < 0 || math.IsNaN(p) || p < 0 || p > 1 {
			return Table{}, fmt.Errorf("line %d: distance %v or FMR %v out of range", n, d, p)
		}
		if k := len(t.Rows); k > 0 {
			if d <= t.Rows[k-1].Distance {
				return Table{}, fmt.Errorf("line %d: distance %v not above the previous %v", n, d, t.Rows[k-1].Distance)
			}
			if p < t.Rows[k-1].FMR {
				return Table{}, fmt.Errorf("line %d: FMR %v falls below the previous %v: the table must not decrease", n, p, t.Rows[k-1].FMR)
			}
		}
		t.Rows = append(t.Rows, Row{Distance: d, FMR: p})
	}
	if err := sc.Err(); err != nil {
		return Table{}, fmt.Errorf("read table: %w", err)
	}
	if len(t.Rows) == 0 {
		return Table{}, errors.New("table has no rows")
	}
	return t, nil
}

// Format writes the table in the form Parse reads, comments first.
func (t Table) Format() []byte {
	var b bytes.Buffer
	for _, c := range t.Comments {
		fmt.Fprintf(&b, "# %s\n", c)
	}
	b.WriteString("distance\test_fmr\n")
	for _, r := range t.Rows {
		fmt.Fprintf(&b, "%s\t%s\n", strconv.FormatFloat(r.Distance, 'f', -1, 64), strconv.FormatFloat(r.FMR, 'g', 6, 64))
	}
	return b.Bytes()
}
