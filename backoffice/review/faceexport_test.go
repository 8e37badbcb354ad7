package review_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/backoffice/review"
	"github.com/ehraz/ehraz/domain/dossier"
)

// deliverPhotos delivers a dossier that needs review, with a registry photo and a selfie sealed
// under the rig's media key.
func (r *rig) deliverPhotos(t *testing.T, key, session, nc string) int64 {
	t.Helper()
	var media []dossier.Media
	for _, name := range []string{"registry.photo", "selfie"} {
		plain := []byte("jpeg bytes of " + name + " in " + key)
		sealed, err := dossier.Seal(r.mkey, plain, []byte(key+"/"+name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(plain)
		media = append(media, dossier.Media{Name: name, Format: "jpeg", SHA256: hex.EncodeToString(sum[:]), Size: len(plain), Sealed: sealed})
	}
	d := kioskDossier(session, nc, append(passing()[:2], check("video", "needs-review", 1)))
	d.Media = media
	code, id := r.deliverDossier(t, key, d)
	if code != http.StatusCreated {
		t.Fatalf("deliver %s: %d", key, code)
	}
	return id
}

func TestFaceExport(t *testing.T) { each(t, testFaceExport) }

func testFaceExport(t *testing.T, engine string) {
	ctx := context.Background()
	r := newRig(t, engine, false)
	decide := func(id int64, a review.Action, reason string) {
		t.Helper()
		c, _ := r.rv.Get(ctx, id)
		if _, err := r.rv.Decide(ctx, review.Decision{DossierID: id, Version: c.Version, Actor: reviewer, Action: a, Reason: reason, Note: "n"}); err != nil {
			t.Fatal(err)
		}
	}
	approved := r.deliverPhotos(t, "key-face-0001", "s1", "0015260186")
	mismatch := r.deliverPhotos(t, "key-face-0002", "s2", "0084575948")
	notLive := r.deliverPhotos(t, "key-face-0003", "s3", "0013542419")
	noConsent := r.deliverPhotos(t, "key-face-0004", "s4", "0076229645")
	pending := r.deliverPhotos(t, "key-face-0005", "s5", "0070151567")
	decide(approved, review.Approve, "review.reason.verified_manually")
	decide(mismatch, review.Reject, review.ReasonFaceMismatch)
	decide(notLive, review.Reject, "review.reason.not_live")
	decide(noConsent, review.Approve, "review.reason.verified_manually")
	for _, id := range []int64{approved, mismatch, notLive, pending} {
		if err := r.rv.RecordFaceConsent(ctx, id, reviewer, "form 17 in the branch file"); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.rv.RecordFaceConsent(ctx, approved, admin, ""); !errors.Is(err, review.ErrForbidden) {
		t.Errorf("admin records consent: %v", err)
	}
	key := func(string) []byte { return r.mkey }
	dir := filepath.Join(t.TempDir(), "export")
	if _, err := r.rv.ExportFaces(ctx, review.FaceExportOptions{Dir: dir, MediaKey: key, By: admin}); !errors.Is(err, review.ErrForbidden) {
		t.Errorf("admin exports: %v", err)
	}
	rep, err := r.rv.ExportFaces(ctx, review.FaceExportOptions{Dir: dir, MediaKey: key, By: supervisor})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Same != 1 || rep.Different != 1 || rep.Skipped["rejected_not_face"] != 1 || rep.Skipped["no_human_decision"] != 1 {
		t.Fatalf("report %+v", rep)
	}
	tsv, err := os.ReadFile(filepath.Join(dir, "people.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(tsv)), "\n")
	person := map[string]string{}
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		person[f[0]] = f[1]
		b, err := os.ReadFile(filepath.Join(dir, f[0]))
		if err != nil || !bytes.HasPrefix(b, []byte("jpeg bytes of ")) {
			t.Errorf("%s: %q %v (not decrypted)", f[0], b, err)
		}
	}
	a, m := "d"+itoa(approved), "d"+itoa(mismatch)
	if len(person) != 4 || person[a+"-registry.jpeg"] != person[a+"-selfie.jpeg"] || person[m+"-registry.jpeg"] == person[m+"-selfie.jpeg"] || person[m+"-selfie.jpeg"] == "" {
		t.Fatalf("people.tsv:\n%s", tsv)
	}
	// The trail says who exported, where to; a dossier left out has no export event.
	for id, want := range map[int64]bool{approved: true, mismatch: true, notLive: false, noConsent: false} {
		c, _ := r.rv.Get(ctx, id)
		got := false
		for _, e := range c.Events {
			if e.Action == review.ActionFaceExport && e.Actor == supervisor.Name && strings.Contains(e.Note, dir) {
				got = true
			}
		}
		if got != want {
			t.Errorf("dossier %d: export event %v, want %v", id, got, want)
		}
	}
	// A second export never writes into the first one's folder.
	if _, err := r.rv.ExportFaces(ctx, review.FaceExportOptions{Dir: dir, MediaKey: key, By: supervisor}); !errors.Is(err, review.ErrExportDir) {
		t.Errorf("export into a full folder: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
