package console_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ehraz/ehraz/backoffice/console"
	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/backoffice/database/dbtest"
	"github.com/ehraz/ehraz/backoffice/fleet"
	"github.com/ehraz/ehraz/backoffice/intake"
	"github.com/ehraz/ehraz/backoffice/review"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/eligibility"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/services/sms"
)

// rig is a real back office (SQLite file, intake, lifecycle, console) on an httptest server,
// with a clock the test moves.
type rig struct {
	URL      string
	srv      *httptest.Server
	intake   *intake.Server
	rv       *review.Service
	sms      *sms.Console
	mediaKey []byte
	db       *database.DB
	fleet    *fleet.Registry
	mu       sync.Mutex
	now      time.Time
	accounts map[string]string // user → password
}

func (r *rig) clock() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

func (r *rig) advance(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.now = r.now.Add(d)
}

func TestMain(m *testing.M) { dbtest.Main(m) }

// each runs f once per engine (SQLite, PostgreSQL) as a subtest.
func each(t *testing.T, f func(t *testing.T, engine string)) {
	for _, e := range dbtest.Engines {
		t.Run(e, func(t *testing.T) { f(t, e) })
	}
}

func newRig(t testing.TB, engine string, fourEyes bool) *rig {
	t.Helper()
	db := dbtest.Open(t, engine)
	var err error
	r := &rig{sms: sms.NewConsole(20), mediaKey: bytes.Repeat([]byte{5}, 32), now: time.Date(2026, 11, 28, 8, 30, 0, 0, time.UTC),
		accounts: map[string]string{}}
	r.db = db
	r.intake, err = intake.New(intake.Config{Token: "kiosk", AdminToken: "admin", DataKey: bytes.Repeat([]byte{1}, 32), MediaKey: r.mediaKey,
		SMS: r.sms, FourEyes: fourEyes, Now: r.clock,
		IPRule: eligibility.IPRule{Allow: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}}}, db)
	if err != nil {
		t.Fatal(err)
	}
	r.rv = r.intake.Review()
	_, file, _, _ := runtime.Caller(0)
	ca, err := fleet.LoadOrCreateCA(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r.fleet = fleet.NewRegistry(db, ca, bytes.Repeat([]byte{1}, 32), nil)
	c, err := console.New(db, r.rv, console.Config{MediaKey: r.mediaKey, Fleet: r.fleet, Now: r.clock, Idle: 15 * time.Minute,
		FontsDir: filepath.Join(filepath.Dir(file), "..", "..", "assets", "fonts")})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, c)
	mux.Handle("/", r.intake)
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	r.URL = r.srv.URL
	for user, role := range map[string]review.Role{"maryam": review.RoleReviewer, "sara": review.RoleSupervisor, "ali": review.RoleSupervisor, "root": review.RoleAdmin} {
		p, err := console.CreateAccount(context.Background(), db, user, map[string]string{"maryam": "مریم رضایی", "sara": "سارا احمدی"}[user], role, r.clock())
		if err != nil {
			t.Fatal(err)
		}
		r.accounts[user] = p
	}
	return r
}

// picture is a small JPEG of a flat colour with a darker disc (enough for a browser to draw).
func picture(c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 160, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 160; x++ {
			px := c
			if dx, dy := x-80, y-90; dx*dx+dy*dy < 50*50 {
				px = color.RGBA{c.R / 2, c.G / 2, c.B / 2, 255}
			}
			img.Set(x, y, px)
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, nil)
	return b.Bytes()
}

type dossierSpec struct {
	key, session, nc, kiosk, first, last string
	checks                               []dossier.Check
}

// deliver sends a dossier the way a kiosk's outbox does, with sealed media (registry photo,
// selfie, signature and its cleaned copy, a 6-frame video).
func (r *rig) deliver(t testing.TB, s dossierSpec) int64 {
	t.Helper()
	media := map[string][]byte{
		"registry.photo":  picture(color.RGBA{200, 170, 150, 255}),
		"selfie":          picture(color.RGBA{210, 180, 160, 255}),
		"signature":       picture(color.RGBA{250, 250, 250, 255}),
		"signature.clean": picture(color.RGBA{255, 255, 255, 255}),
	}
	var frames []sdk.Frame
	for i := range 6 {
		frames = append(frames, sdk.Frame{TimestampMS: int64(i) * 125, Image: sdk.Image{Format: "jpeg", Width: 160, Height: 200,
			Data: picture(color.RGBA{uint8(150 + i*15), 170, 150, 255})}})
	}
	media["video"] = dossier.EncodeVideo(frames)
	d := dossier.Dossier{Version: dossier.Version, SessionID: s.session, KioskID: s.kiosk, Mode: dossier.ModeKiosk,
		Applicant: dossier.Applicant{Person: kyc.Person{NationalCode: kyc.NationalCode(s.nc), FirstName: s.first, LastName: s.last,
			FatherName: "علی", BirthDate: "1370/05/12"}, Mobile: "09121234567", CardSerial: "1G23456789", CardKind: "smart_card"},
		Checks: s.checks, StartedAt: r.clock(), SubmittedAt: r.clock()}
	for _, name := range []string{"registry.photo", "selfie", "signature", "signature.clean", "video"} {
		b := media[name]
		sealed, err := dossier.Seal(r.mediaKey, b, []byte(s.key+"/"+name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		format := "jpeg"
		if name == "video" {
			format = dossier.VideoFormat
		}
		d.Media = append(d.Media, dossier.Media{Name: name, Format: format, SHA256: hex.EncodeToString(sum[:]), Size: len(b), Sealed: sealed})
	}
	body, _ := json.Marshal(d)
	req, _ := http.NewRequest(http.MethodPost, r.URL+"/v1/dossiers", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer kiosk")
	req.Header.Set("Idempotency-Key", s.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("deliver %s: %d", s.key, resp.StatusCode)
	}
	id, err := r.rv.IDByKey(context.Background(), s.key, "")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func faceCheck(outcome sdk.Outcome, dist float64) dossier.Check {
	return dossier.Check{Step: "selfie", Attempt: 1, Outcome: outcome.String(), Reasons: []string{"verdict.face.match.different"},
		Provenance: &dossier.Provenance{Plugin: "face", Version: "0.1.0", SHA256: strings.Repeat("ab", 32), Signer: "e48345e5"},
		Rules:      []sdk.Rule{{Name: "face.match.distance", Outcome: outcome, Reason: "verdict.face.match.different", Value: dist, Threshold: 0.5, Unit: "euclidean"}}}
}

func passed(step string) dossier.Check {
	return dossier.Check{Step: step, Attempt: 1, Outcome: "pass"}
}

// seed delivers the two dossiers the tests work on: one the face check could not settle, one
// whose liveness check failed.
func (r *rig) seed(t testing.TB) (review1, review2 int64) {
	review1 = r.deliver(t, dossierSpec{key: "key-sara-0001", session: "s-1", nc: "0015260186", kiosk: "kiosk-tehran-1", first: "سارا", last: "احمدی",
		checks: []dossier.Check{faceCheck(sdk.NeedsReview, 0.48), passed("signature"), {Step: "video", Attempt: 1, Outcome: "pass",
			Rules: []sdk.Rule{{Name: "sequence.number.1", Outcome: sdk.Pass, Value: 3, Threshold: 3}, {Name: "sequence.number.2", Outcome: sdk.Pass, Value: 1, Threshold: 1},
				{Name: "sequence.number.3", Outcome: sdk.Fail, Value: 2, Threshold: 4}}}}})
	r.advance(40 * time.Minute)
	review2 = r.deliver(t, dossierSpec{key: "key-reza-0002", session: "s-2", nc: "0084575948", kiosk: "kiosk-shiraz-2", first: "رضا", last: "کریمی",
		checks: []dossier.Check{faceCheck(sdk.Pass, 0.31), passed("signature"), {Step: "video", Attempt: 1, Outcome: "fail", Reasons: []string{"verdict.liveness.spoof.net"}}}})
	r.advance(20 * time.Minute)
	return review1, review2
}

func newJar() (http.CookieJar, error) { return cookiejar.New(nil) }

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
