package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/backoffice/review"
	"github.com/ehraz/ehraz/services/enroll"
)

// EnvShots names a folder: the browser test then also writes a PNG of every console screen
// there, in Persian and English (`make backoffice-screenshots`).
const EnvShots = "EHRAZ_CONSOLE_SHOTS"

// browser starts Debian's Chromium headless (flags for a machine with no outside network) and
// returns a chromedp context; it skips loudly where Chromium is not installed.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("SKIP: Debian's chromium is not installed (apt-get install chromium): the review console was NOT tested in a browser")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// The first Run starts the browser, which lives as long as that call's context: give it the
	// test-long context, not a step's timeout.
	if _, err := chromedp.Run(bctx, chromedp.Steps()); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

func must[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	must(t, ctx, chromedp.Steps(steps...))
}

type css = chromedp.CSS

func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	// Every screen fits the window's width: nothing to scroll sideways (a right-to-left page
	// that overflows hides its start).
	if w := must(t, ctx, chromedp.Evaluate[[]int]("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")); w[0] > w[1] {
		t.Errorf("%s: the page is %d px wide in a %d px window", name, w[0], w[1])
	}
	dir := os.Getenv(EnvShots)
	if dir == "" {
		return
	}
	// The whole page at the window's width (FullScreenshot's own resizing shifts right-to-left
	// pages sideways in this Chromium).
	h := must(t, ctx, chromedp.Evaluate[int]("document.documentElement.scrollHeight"))
	do(t, ctx, chromedp.EmulateViewport(1280, int64(max(h, 700))))
	png := must(t, ctx, chromedp.CaptureScreenshot())
	do(t, ctx, chromedp.EmulateViewport(1280, 900))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The review console in a real browser: sign in, work the queue, approve one dossier (with its
// bourse code and SMS) and reject another, switch language, and be signed out after idling.
func TestConsoleInBrowser(t *testing.T) {
	start := time.Now()
	ctx := context.Background()
	r := newRig(t, database.SQLite, false)
	first, second := r.seed(t)
	b := browser(t)
	for _, lang := range []string{"fa", "en"} {
		if lang == "en" {
			do(t, b, chromedp.Navigate(r.URL+"/console/lang?to=en&back=/console/login"))
		}
		do(t, b, chromedp.Navigate(r.URL+"/console/login"), chromedp.WaitVisible(css("#login-form")))
		shot(t, b, lang+"-login")
	}
	do(t, b, chromedp.Navigate(r.URL+"/console/lang?to=fa&back=/console/login"), chromedp.WaitVisible(css("#login-form")),
		chromedp.SendKeys(css("#username"), "maryam"), chromedp.SendKeys(css("#password"), r.accounts["maryam"]),
		chromedp.Click(css("#login-submit")), chromedp.WaitVisible(css("#queue")))
	if dir := must(t, b, chromedp.Evaluate[string]("document.documentElement.dir")); dir != "rtl" {
		t.Errorf("page direction %q, want rtl", dir)
	}
	rows := must(t, b, chromedp.Evaluate[int]("document.querySelectorAll('#queue tbody tr').length"))
	if rows != 2 {
		t.Fatalf("queue rows %d, want the 2 pending dossiers", rows)
	}
	firstCell := must(t, b, chromedp.Text(css("#queue tbody tr:first-child td:first-child")))
	if firstCell != "۱" {
		t.Errorf("oldest first in Persian digits: first cell %q, want ۱", firstCell)
	}
	shot(t, b, "fa-queue")

	// The first dossier: photos side by side, the distance, the video; approve it.
	do(t, b, chromedp.Click(css("#queue tbody tr:first-child a.open-dossier")), chromedp.WaitVisible(css("#decide-approve")))
	loaded := must(t, b, chromedp.Poll[bool]("Array.from(document.images).length >= 5 && Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)",
		chromedp.WithPollingTimeout(10*time.Second)))
	if !loaded {
		t.Fatal("the dossier's photos did not load")
	}
	if d := must(t, b, chromedp.Text(css("#distance"))); !strings.Contains(d, "۰٫۴۸") && !strings.Contains(d, "۰.۴۸") {
		t.Errorf("distance line %q lacks ۰.۴۸", d)
	}
	do(t, b, chromedp.Click(css("#player button.play")), chromedp.Sleep(300*time.Millisecond))
	shot(t, b, "fa-dossier")
	do(t, b, chromedp.SetValue(css("#decide-approve select[name=reason]"), "review.reason.verified_manually"),
		chromedp.SendKeys(css("#decide-approve textarea[name=note]"), "کارت ملی را دیدم"),
		chromedp.Click(css("#decide-approve button")), chromedp.WaitVisible(css("#notice")))
	if st := must(t, b, chromedp.AttributeValue(css("#status"), "data-status")); st.Value != "approved" {
		t.Fatalf("status after approval %q", st.Value)
	}
	// A bourse code in the wrong format is refused; the right one is recorded and the SMS sent.
	do(t, b, chromedp.SendKeys(css("#bourse-input"), "abc123"), chromedp.Click(css("#bourse-form button")), chromedp.WaitVisible(css("#error")))
	if e := must(t, b, chromedp.Text(css("#error"))); !strings.Contains(e, "سه حرف فارسی") {
		t.Errorf("wrong-format message %q", e)
	}
	shot(t, b, "fa-error")
	do(t, b, chromedp.Navigate(fmt.Sprintf("%s/console/dossiers/%d", r.URL, first)), chromedp.WaitVisible(css("#bourse-form")), chromedp.SetValue(css("#bourse-input"), "ابج۱۲۳۴۵"),
		chromedp.Click(css("#bourse-form button")), chromedp.WaitVisible(css("#bourse-code")))
	if m, ok := r.sms.Last("09121234567"); !ok || m.Message.Tokens[0] != "ابج12345" {
		t.Errorf("bourse-code SMS: %+v %v", m, ok)
	}
	shot(t, b, "fa-dossier-issued")

	// The second: reject it with a reason.
	do(t, b, chromedp.Navigate(r.URL+"/console/queue"), chromedp.WaitVisible(css("#queue")),
		chromedp.Click(css("#queue tbody tr:first-child a.open-dossier")), chromedp.WaitVisible(css("#decide-reject")),
		chromedp.SetValue(css("#decide-reject select[name=reason]"), "review.reason.not_live"),
		chromedp.Click(css("#decide-reject button")), chromedp.WaitVisible(css("#notice")))
	for id, want := range map[int64]review.Status{first: review.BourseCodeIssued, second: review.Rejected} {
		if cs, err := r.rv.Get(ctx, id); err != nil || cs.Status != want || cs.DecidedBy != "maryam" {
			t.Errorf("dossier %d: %v %s by %q, want %s by maryam", id, err, cs.Status, cs.DecidedBy, want)
		}
	}
	do(t, b, chromedp.Navigate(r.URL+"/console/queue?status="), chromedp.WaitVisible(css("#queue")))
	shot(t, b, "fa-queue-all")

	// English, then idle past the limit: signed out with the reason.
	do(t, b, chromedp.Click(css("#lang-switch")), chromedp.WaitVisible(css("#queue")))
	if l := must(t, b, chromedp.Evaluate[string]("document.documentElement.lang + document.documentElement.dir")); l != "enltr" {
		t.Errorf("after the switch: %q", l)
	}
	shot(t, b, "en-queue-all")
	do(t, b, chromedp.Navigate(r.URL+"/console/dossiers/1"), chromedp.WaitVisible(css("#trail")))
	shot(t, b, "en-dossier")
	r.advance(20 * time.Minute)
	do(t, b, chromedp.Navigate(r.URL+"/console/queue"), chromedp.WaitVisible(css("#login-form")))
	if e := must(t, b, chromedp.Text(css("#error"))); !strings.Contains(e, "without activity") {
		t.Errorf("expiry message %q", e)
	}

	// The supervisor's report and the admin's accounts (screens for review).
	do(t, b, chromedp.SendKeys(css("#username"), "sara"), chromedp.SendKeys(css("#password"), r.accounts["sara"]),
		chromedp.Click(css("#login-submit")), chromedp.WaitVisible(css("#queue-empty")),
		chromedp.Navigate(r.URL+"/console/report"), chromedp.WaitVisible(css("#report")))
	shot(t, b, "en-report")
	do(t, b, chromedp.Navigate(r.URL+"/console/lang?to=fa&back=/console/report"), chromedp.WaitVisible(css("#report")))
	shot(t, b, "fa-report")
	do(t, b, chromedp.Click(css("#logout")), chromedp.WaitVisible(css("#login-form")),
		chromedp.SendKeys(css("#username"), "root"), chromedp.SendKeys(css("#password"), r.accounts["root"]),
		chromedp.Click(css("#login-submit")), chromedp.WaitVisible(css("#queue-empty")), chromedp.Navigate(r.URL+"/console/accounts"), chromedp.WaitVisible(css("#accounts")))
	shot(t, b, "fa-accounts")

	// The admin approves a kiosk's enrollment with the code its operator reads out.
	key, err := enroll.NewKey(filepath.Join(t.TempDir(), "kiosk.key"))
	if err != nil {
		t.Fatal(err)
	}
	csr, _ := enroll.CSR(key, "kiosk-qom-4")
	if err := r.fleet.Request(ctx, enroll.Request{KioskID: "kiosk-qom-4", CSR: csr, Code: "24681357", MediaKey: r.mediaKey}); err != nil {
		t.Fatal(err)
	}
	do(t, b, chromedp.Navigate(r.URL+"/console/kiosks"), chromedp.WaitVisible(css("#kiosk-kiosk-qom-4")))
	shot(t, b, "fa-kiosks")
	do(t, b, chromedp.SendKeys(css("#kiosk-kiosk-qom-4 form.approve input[name=code]"), "۲۴۶۸۱۳۵۷"),
		chromedp.Click(css("#kiosk-kiosk-qom-4 form.approve button")), chromedp.WaitVisible(css("#notice")))
	if st, _ := r.fleet.Status(ctx, "kiosk-qom-4"); st.State != enroll.Active || st.Cert == "" {
		t.Errorf("kiosk after the admin's approval: %+v", st)
	}
	shot(t, b, "fa-kiosks-approved")
	t.Logf("console.browser_test seconds=%.1f", time.Since(start).Seconds())
}
