package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// A new Record field must be added to fullRecord, or the round trip would not prove it is kept.
func TestFullRecordSetsEveryField(t *testing.T) {
	var zeroFields func(prefix string, v reflect.Value) []string
	zeroFields = func(prefix string, v reflect.Value) []string {
		var out []string
		for i := 0; i < v.NumField(); i++ {
			f, name := v.Field(i), prefix+v.Type().Field(i).Name
			if !v.Type().Field(i).IsExported() {
				continue
			}
			if f.IsZero() {
				out = append(out, name)
				continue
			}
			if f.Kind() == reflect.Pointer && f.Elem().Kind() == reflect.Struct {
				out = append(out, zeroFields(name+".", f.Elem())...)
			} else if f.Kind() == reflect.Struct && f.Type() != reflect.TypeOf(time.Time{}) {
				out = append(out, zeroFields(name+".", f)...)
			}
		}
		return out
	}
	if z := zeroFields("", reflect.ValueOf(fullRecord("x"))); len(z) > 0 {
		t.Fatalf("fullRecord leaves fields unset: %v", z)
	}
}

func TestRecordRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	tests := []struct {
		name string
		rec  flow.Record
	}{
		{"full", fullRecord("full-1")},
		{"empty", openRecord("empty-1", t0)},
		{"empty maps", func() flow.Record {
			r := openRecord("maps-1", t0)
			r.Attempts, r.Checks, r.Media = map[flow.Step]int{}, map[flow.Step]flow.CheckResult{}, map[string]string{}
			return r
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first := openRecord(tc.rec.ID, tc.rec.StartedAt)
			if err := s.Create(ctx, first, ev("session.started", flow.StepWelcome, flow.StepMobile, t0)); err != nil {
				t.Fatal(err)
			}
			if err := s.Save(ctx, tc.rec, ev("video.checked", flow.StepSignature, flow.StepVideo, t0.Add(time.Minute))); err != nil {
				t.Fatal(err)
			}
			got, err := s.Load(ctx, tc.rec.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.rec) {
				t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, tc.rec)
			}
		})
	}
	if err := s.Create(ctx, openRecord("full-1", t0), ev("again", "", flow.StepMobile, t0)); err == nil {
		t.Error("Create of an existing id succeeded")
	}
	if err := s.Save(ctx, openRecord("nobody", t0), ev("x", "", flow.StepMobile, t0)); !errors.Is(err, ErrNotFound) {
		t.Errorf("Save of an unknown id: %v, want ErrNotFound", err)
	}
	if _, err := s.Load(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load of an unknown id: %v, want ErrNotFound", err)
	}
}

func TestSaveRecordsEventsAndVerdictsOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	r := fullRecord("s-1")
	if err := s.Create(ctx, r, ev("session.started", flow.StepWelcome, flow.StepMobile, t0)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ { // the same verdict saved again is not a new check
		if err := s.Save(ctx, r, ev("tick", r.Step, r.Step, t0.Add(time.Duration(i)*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	in, err := s.Info(ctx, "s-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Events) != 4 || len(in.Checks) != 1 {
		t.Fatalf("events %d checks %d, want 4 and 1", len(in.Events), len(in.Checks))
	}
	c := in.Checks[0]
	if c.Step != flow.StepSelfie || c.Attempt != 2 || c.Outcome != "needs-review" || c.Score != 0.58 ||
		c.Duration != 120*time.Millisecond || len(c.Rules) != 1 || c.Rules[0].Threshold != 0.6 {
		t.Errorf("check row %+v", c)
	}
	if _, err := s.DB().ExecContext(ctx, `UPDATE events SET name = 'x'`); err == nil {
		t.Error("events accepted an update; they must be append-only")
	}
}

func TestLatestOpen(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	if _, ok, err := s.LatestOpen(ctx); err != nil || ok {
		t.Fatalf("empty store: ok=%v err=%v", ok, err)
	}
	for i, st := range []flow.Step{flow.StepSelfie, flow.StepCardSerial, flow.StepSubmitted, flow.StepExpired, flow.StepLocked, flow.StepRejected} {
		r := openRecord(fmt.Sprintf("l-%d", i), t0.Add(time.Duration(i)*time.Minute))
		r.Step = st
		if err := s.Create(ctx, r, ev("x", "", st, r.StartedAt)); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := s.LatestOpen(ctx)
	if err != nil || !ok || got.ID != "l-1" {
		t.Fatalf("LatestOpen = %q ok=%v err=%v, want l-1 (newest not finished, expired, locked or rejected)", got.ID, ok, err)
	}
}

func TestConcurrentSave(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	const workers, saves = 6, 15
	for w := 0; w < workers; w++ {
		if err := s.Create(ctx, openRecord(fmt.Sprintf("c-%d", w), t0), ev("start", "", flow.StepMobile, t0)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*saves*2)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < saves; i++ {
				r := openRecord(fmt.Sprintf("c-%d", w), t0)
				r.Attempts = map[flow.Step]int{flow.StepSelfie: i + 1}
				r.Checks = map[flow.Step]flow.CheckResult{flow.StepSelfie: {Step: flow.StepSelfie, Attempt: i + 1, At: t0.Add(time.Duration(i) * time.Second), Verdict: sdk.Verdict{Outcome: sdk.Fail}}}
				errs <- s.Save(ctx, r, ev("selfie.checked", flow.StepSelfie, flow.StepSelfie, t0))
				// and everyone also writes to one shared session
				errs <- s.Save(ctx, openRecord("c-0", t0), ev("shared", flow.StepMobile, flow.StepMobile, t0))
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var events, checks, audit int
	s.DB().QueryRow(`SELECT COUNT(*) FROM events`).Scan(&events)
	s.DB().QueryRow(`SELECT COUNT(*) FROM checks`).Scan(&checks)
	s.DB().QueryRow(`SELECT COUNT(*) FROM audit`).Scan(&audit)
	if want := workers + 2*workers*saves; events != want {
		t.Errorf("events = %d, want %d", events, want)
	}
	if checks != workers*saves {
		t.Errorf("checks = %d, want %d", checks, workers*saves)
	}
	if n, err := s.VerifyAudit(ctx); err != nil || int(n) != audit || audit != events+checks {
		t.Errorf("audit verify n=%d rows=%d err=%v, want events+checks=%d", n, audit, err, events+checks)
	}
}
