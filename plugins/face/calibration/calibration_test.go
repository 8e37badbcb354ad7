package calibration

import (
	"math"
	"strings"
	"testing"
)

func TestWilsonUpper(t *testing.T) {
	tests := []struct {
		name   string
		k, n   int
		lo, hi float64
	}{
		{"none of 400 seen: floor near 2.7/n", 0, 400, 0.0066, 0.0068},
		{"none of 233", 0, 233, 0.0113, 0.0115},
		{"10 of 400 is above 2.5%", 10, 400, 0.025, 0.045},
		{"all seen", 5, 5, 1, 1},
		{"no pairs at all says nothing", 0, 0, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := WilsonUpper(tc.k, tc.n); got < tc.lo || got > tc.hi {
				t.Errorf("WilsonUpper(%d, %d) = %v, want in [%v, %v]", tc.k, tc.n, got, tc.lo, tc.hi)
			}
		})
	}
	for k := 1; k <= 100; k++ {
		if WilsonUpper(k, 100) < WilsonUpper(k-1, 100) {
			t.Fatalf("bound decreases at k=%d", k)
		}
	}
}

func TestFitTakesTheHardestSetAndNeverDecreases(t *testing.T) {
	easy := Set{Name: "easy", Impostor: []float64{0.80, 0.85, 0.90, 0.95, 1.00}}
	hard := Set{Name: "hard", Impostor: []float64{0.40, 0.50, 0.55, 0.60, 0.70}}
	tab, err := Fit([]Set{easy, hard})
	if err != nil {
		t.Fatal(err)
	}
	last := tab.Rows[len(tab.Rows)-1]
	if last.Distance != 1.0 || last.FMR != 1 {
		t.Errorf("last row %+v, want distance 1 with FMR 1", last)
	}
	for i := 1; i < len(tab.Rows); i++ {
		if tab.Rows[i].FMR < tab.Rows[i-1].FMR || tab.Rows[i].Distance <= tab.Rows[i-1].Distance {
			t.Fatalf("row %d %+v after %+v", i, tab.Rows[i], tab.Rows[i-1])
		}
	}
	// At 0.5 the hard set has 2 of 5 under it, the easy set none: the hard set's bound wins.
	if got, want := tab.FMR(0.5), WilsonUpper(2, 5); got != want {
		t.Errorf("FMR(0.5) = %v, want the hard set's %v", got, want)
	}
	// Between grid points the next point up decides: 0.4001 counts the 0.40 pair.
	if got, want := tab.FMR(0.4001), WilsonUpper(1, 5); got != want {
		t.Errorf("FMR(0.4001) = %v, want %v", got, want)
	}
	if got := tab.FMR(0); got != WilsonUpper(0, 5) {
		t.Errorf("FMR(0) = %v, want the floor %v", got, WilsonUpper(0, 5))
	}
	if tab.FMR(5) != 1 || tab.FMR(math.NaN()) != 1 || tab.FMR(-1) != 1 {
		t.Error("far, NaN or negative distances must estimate 1")
	}
	if _, err := Fit([]Set{{Name: "empty"}}); err == nil {
		t.Error("a fit without impostor pairs succeeded")
	}
	if _, err := Fit([]Set{{Name: "nan", Impostor: []float64{math.NaN()}}}); err == nil {
		t.Error("a fit on NaN succeeded")
	}
}

func TestDistanceAt(t *testing.T) {
	tab := Table{Rows: []Row{{0, 0.01}, {0.1, 0.01}, {0.2, 0.03}, {0.3, 0.5}, {0.4, 1}}}
	tests := []struct {
		limit float64
		want  float64
		ok    bool
	}{
		{0.001, 0, false}, // under the floor: nothing passes
		{0.01, 0.1, true},
		{0.04, 0.2, true},
		{0.5, 0.3, true},
		{1, math.Inf(1), true},
	}
	for _, tc := range tests {
		got, ok := tab.DistanceAt(tc.limit)
		if got != tc.want || ok != tc.ok {
			t.Errorf("DistanceAt(%v) = %v %v, want %v %v", tc.limit, got, ok, tc.want, tc.ok)
		}
		if ok && !math.IsInf(got, 1) && tab.FMR(got) > tc.limit {
			t.Errorf("FMR at DistanceAt(%v) is %v", tc.limit, tab.FMR(got))
		}
	}
}

func TestParseRoundTripAndRefusals(t *testing.T) {
	tab, err := Fit([]Set{{Name: "a", Impostor: []float64{0.3, 0.6, 0.61}}})
	if err != nil {
		t.Fatal(err)
	}
	tab.Comments = []string{"fitted for a test"}
	back, err := Parse(tab.Format(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Rows) != len(tab.Rows) || back.Comments[0] != "fitted for a test" || !strings.HasPrefix(back.ID, "test@") || len(back.ID) != len("test@")+12 {
		t.Fatalf("round trip: %d rows, comments %q, id %q", len(back.Rows), back.Comments, back.ID)
	}
	for i := range tab.Rows {
		if math.Abs(back.Rows[i].FMR-tab.Rows[i].FMR) > 1e-6 || back.Rows[i].Distance != tab.Rows[i].Distance {
			t.Fatalf("row %d: %+v, want %+v", i, back.Rows[i], tab.Rows[i])
		}
	}
	bad := map[string]string{
		"decreasing": "distance\test_fmr\n0\t0.1\n0.1\t0.05\n",
		"unordered":  "distance\test_fmr\n0.2\t0.1\n0.1\t0.2\n",
		"over one":   "distance\test_fmr\n0\t1.5\n",
		"no header":  "0\t0.1\n",
		"no rows":    "# nothing\ndistance\test_fmr\n",
		"not number": "distance\test_fmr\n0\tlow\n",
		"negative":   "distance\test_fmr\n-0.1\t0.1\n",
	}
	for name, text := range bad {
		if _, err := Parse([]byte(text), "bad"); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func TestReferenceTableIsShippedAndMonotonic(t *testing.T) {
	tab, err := Reference()
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Comments) == 0 {
		t.Error("the reference table does not say where it came from")
	}
	if tab.Rows[len(tab.Rows)-1].FMR != 1 {
		t.Errorf("last row %+v: the table must reach 1", tab.Rows[len(tab.Rows)-1])
	}
	if tab.FMR(0.3) > tab.FMR(0.5) || tab.FMR(0.5) > tab.FMR(0.7) {
		t.Error("reference estimate decreases with distance")
	}
}
