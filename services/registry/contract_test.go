package registry_test

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/services/apicall"
	"github.com/ehraz/ehraz/services/registry"
	"github.com/ehraz/ehraz/services/servicetest"
	"github.com/ehraz/ehraz/services/simulator"
	"github.com/ehraz/ehraz/services/sms"
)

func start(t *testing.T, photoDir, apiKey string) *registry.Client {
	t.Helper()
	ids, err := simulator.DefaultSeed()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := simulator.New(simulator.Config{SMS: sms.NewConsole(1), PhotoDir: photoDir, SlowDelay: 2 * time.Second}, ids)
	if err != nil {
		t.Fatal(err)
	}
	run, err := simulator.Start(context.Background(), "127.0.0.1:0", srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	c, err := registry.New(registry.Config{BaseURL: run.URL + "/registry/v1", APIKey: apiKey,
		// 1 s, not 300 ms: under the race detector on a loaded machine a photo once took longer;
		// the simulator's slow answers (2 s) still time out.
		Policy: apicall.Policy{Timeout: time.Second, Retries: 2, Backoff: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var key = servicetest.Key

func TestVerifyCardWithPhoto(t *testing.T) {
	faces := filepath.Join(servicetest.Shared(t), "testdata", "faces")
	c := start(t, faces, "ehraz-demo-key")
	rec, err := c.VerifyCard(context.Background(), "0015260186", "1370/05/12", "1g23456789")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Kind != kyc.SmartCard || !rec.Alive || rec.Person.FirstName != "سارا" || rec.Person.FatherName != "علی" {
		t.Errorf("record %+v", rec.Person)
	}
	want, err := os.ReadFile(filepath.Join(faces, "bona.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rec.Photo.Data, want) || rec.Photo.Format != "jpeg" {
		t.Fatalf("photo is not the seeded file (%d bytes, %s)", len(rec.Photo.Data), rec.Photo.Format)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(rec.Photo.Data))
	if err != nil || cfg.Width != rec.Photo.Width || cfg.Height != rec.Photo.Height {
		t.Errorf("photo size %dx%d, decoded %+v (%v)", rec.Photo.Width, rec.Photo.Height, cfg, err)
	}
}

func TestVerifyCardErrors(t *testing.T) {
	c := start(t, t.TempDir(), "ehraz-demo-key")
	cases := []struct {
		name, nc, birth, serial, want string
		kind                          kyc.CardKind
	}{
		{"receipt", "0021590834", "1365/11/03", "3B12345678", "", kyc.CardReceipt},
		{"no photo is not an error", "0137574916", "1374/10/10", "1P66778899", "", kyc.SmartCard},
		{"not found", "0030166136", "1370/01/01", "1G23456789", "registry.not_found", ""},
		{"birth date mismatch", "0015260186", "1370/05/13", "1G23456789", "registry.birth_date_mismatch", ""},
		{"serial of someone else", "0015260186", "1370/05/12", "3B12345678", "registry.serial_mismatch", ""},
		{"card revoked", "0088219933", "1375/09/25", "2H98765432", "registry.card_revoked", ""},
		{"replacement card of the same person", "0088219933", "1375/09/25", "5H11223344", "", kyc.SmartCard},
		{"old (non-smart) card", "0141862521", "1366/03/21", "0123456789", "registry.card_not_smart", ""},
		{"deceased", "0117975435", "1340/06/01", "8M44556677", "registry.deceased", ""},
		{"service down", "0095181903", "1369/04/04", "6K22334455", "registry.unavailable", ""},
		{"slow", "0109378652", "1371/12/29", "7L33445566", "registry.timeout", ""},
		{"flaky recovers", "0122319486", "1380/08/18", "9N55667788", "", kyc.SmartCard},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := c.VerifyCard(context.Background(), kyc.NationalCode(tc.nc), tc.birth, kyc.CardSerial(tc.serial))
			if got := key(err); got != tc.want {
				t.Fatalf("key %q (err %v), want %q", got, err, tc.want)
			}
			if tc.want == "" && (rec.Kind != tc.kind || len(rec.Photo.Data) != 0) {
				t.Errorf("record kind %s, photo %d bytes (photo folder is empty)", rec.Kind, len(rec.Photo.Data))
			}
		})
	}
}

func TestWrongAPIKey(t *testing.T) {
	c := start(t, "", "wrong")
	_, err := c.VerifyCard(context.Background(), "0015260186", "1370/05/12", "1G23456789")
	if key(err) != "registry.unavailable" {
		t.Errorf("err %v", err)
	}
}
