package store

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// After a whole session with a known applicant and photo, no file under the data folder (the
// database, its WAL, the media) holds any of their bytes in clear.
func TestNothingPersonalInClear(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	photo := testJPEG(t, 42)
	r := fullRecord("p-1")
	if err := s.Create(ctx, openRecord("p-1", t0), ev("session.started", flow.StepWelcome, flow.StepMobile, t0)); err != nil {
		t.Fatal(err)
	}
	sum, err := s.PutMedia(ctx, "p-1", "selfie", "jpeg", photo)
	if err != nil {
		t.Fatal(err)
	}
	r.Media = map[string]string{"selfie": sum}
	careless := ev("selfie.checked", flow.StepSelfie, flow.StepSignature, t0.Add(time.Minute))
	careless.Detail = "oops " + testNationalCode + " / ۰۹۱۲۳۴۵۶۷۸۹" // a bug elsewhere must not leak it
	if err := s.Save(ctx, r, careless); err != nil {
		t.Fatal(err)
	}
	if err := s.Override(ctx, "p-1", flow.StepSelfie, sdk.Pass, "operator.reason.looked_same"); err != nil {
		t.Fatal(err)
	}
	secrets := map[string][]byte{
		"national code": []byte(testNationalCode), "first name": []byte(testFirstName), "last name": []byte(testLastName),
		"mobile": []byte(testMobile), "SEJAM mobile": []byte(testSejamMobile), "tracking": []byte(testTracking),
		"card serial": []byte(testCardSerial), "persian mobile": []byte("۰۹۱۲۳۴۵۶۷۸۹"), "photo head": photo[200:232], "photo tail": photo[len(photo)-48 : len(photo)-16],
	}
	scan := func(stage string) int {
		files := 0
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files++
			for what, secret := range secrets {
				if bytes.Contains(b, secret) {
					t.Errorf("%s: %s found in clear in %s", stage, what, p)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	n := scan("open")
	if _, err := os.Stat(filepath.Join(dir, "ehraz.db-wal")); err != nil {
		t.Errorf("expected a WAL file while open: %v", err)
	}
	if n < 4 { // db, wal, shm, key, media
		t.Errorf("scanned only %d files", n)
	}
	// And the data still comes back through the key.
	got, err := s.Load(ctx, "p-1")
	if err != nil || got.Person.LastName != testLastName {
		t.Fatalf("Load after scan: %v", err)
	}
	back, _, err := s.ReadMedia(ctx, "p-1", "selfie")
	if err != nil || !bytes.Equal(back, photo) {
		t.Fatalf("ReadMedia: %v", err)
	}
	s.Close()
	scan("closed")

}
