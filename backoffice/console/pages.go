package console

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	jalaali "github.com/jalaali/go-jalaali"

	"github.com/ehraz/ehraz/backoffice/fleet"
	"github.com/ehraz/ehraz/backoffice/review"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/problem"
	"github.com/ehraz/ehraz/domain/text"
)

// view is what every page template receives.
type view struct {
	Lang    string
	User    *session
	CSRF    string
	Error   string   // a locale key
	ErrArgs []string // its arguments
	Notice  string   // a locale key
	Path    string   // the page's own path and query (the language switch returns to it)
	Data    any
	Fonts   bool
}

func (c *Console) parse() error {
	c.pages = map[string]*template.Template{}
	funcs := template.FuncMap{
		"t":          func(lang, key string, args ...string) string { return c.cat.T(lang, key, args...) },
		"num":        digits,
		"jdate":      func(lang string, t time.Time) string { return jdate(lang, t.In(c.cfg.Location), false) },
		"jtime":      func(lang string, t time.Time) string { return jdate(lang, t.In(c.cfg.Location), true) },
		"age":        func(lang string, t time.Time) string { return age(c, lang, c.cfg.Now().Sub(t)) },
		"late":       func(t time.Time) bool { return c.cfg.Now().Sub(t) > c.cfg.SLA },
		"dur":        func(lang string, d time.Duration) string { return age(c, lang, d) },
		"dir":        func(lang string) string { return map[bool]string{true: "rtl", false: "ltr"}[lang == "fa"] },
		"other":      func(lang string) string { return map[bool]string{true: "en", false: "fa"}[lang == "fa"] },
		"qs":         url.QueryEscape,
		"value":      func(lang string, v float64) string { return digits(lang, strconv.FormatFloat(round3(v), 'f', -1, 64)) },
		"canDecide":  func(s *session) bool { return s != nil && s.Role.CanDecide() },
		"canConfirm": func(s *session) bool { return s != nil && s.Role.CanConfirm() },
		"isAdmin":    func(s *session) bool { return s != nil && s.Role == review.RoleAdmin },
		"canReport": func(s *session) bool {
			return s != nil && (s.Role == review.RoleSupervisor || s.Role == review.RoleAdmin)
		},
		"list": func(xs ...string) []string { return xs },
		"short": func(s string) string { // a hash's first 12 hex digits
			if len(s) > 12 {
				return s[:12]
			}
			return s
		},
		"groups": func(s string) string { // a long hex string in groups of four, for reading aloud
			var b strings.Builder
			for i, r := range s {
				if i > 0 && i%4 == 0 {
					b.WriteByte(' ')
				}
				b.WriteRune(r)
			}
			return b.String()
		},
		"reasons": func(a string) []string { return review.Reasons[review.Action(a)] },
		"outcome": func(o int) string {
			return map[int]string{1: "pass", 2: "fail", 3: "needs-review", 4: "could-not-verify"}[o]
		},
	}
	layout, err := fs.ReadFile(embedded, "templates/layout.html")
	if err != nil {
		return fmt.Errorf("console: templates: %w", err)
	}
	for _, name := range []string{"login", "queue", "dossier", "report", "accounts", "kiosks", "error"} {
		body, err := fs.ReadFile(embedded, "templates/"+name+".html")
		if err != nil {
			return fmt.Errorf("console: templates: %w", err)
		}
		t, err := template.New(name).Funcs(funcs).Parse(string(layout))
		if err == nil {
			_, err = t.Parse(string(body))
		}
		if err != nil {
			return fmt.Errorf("console: template %s: %w", name, err)
		}
		c.pages[name] = t
	}
	return nil
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// digits writes a number in the language's digits.
func digits(lang string, s any) string {
	str := fmt.Sprint(s)
	if lang == "fa" {
		return text.PersianDigits(str)
	}
	return str
}

var faMonths = []string{"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"}

// jdate writes t as a Jalali date (and time): "۱۱ آذر ۱۴۰۵ ۱۴:۰۵" in Persian, "1405-09-11 14:05"
// in English (the Jalali calendar in both: it is the calendar of Iranian documents).
func jdate(lang string, t time.Time, withTime bool) string {
	if t.IsZero() {
		return "—"
	}
	jy, jm, jd, err := jalaali.ToJalaali(t.Year(), t.Month(), t.Day())
	if err != nil {
		return "—"
	}
	var s string
	if lang == "fa" {
		s = fmt.Sprintf("%d %s %d", jd, faMonths[int(jm)-1], jy)
	} else {
		s = fmt.Sprintf("%04d-%02d-%02d", jy, int(jm), jd)
	}
	if withTime {
		s += fmt.Sprintf(" %02d:%02d", t.Hour(), t.Minute())
	}
	return digits(lang, s)
}

// parseJDate reads a Jalali date typed as 1405/09/11 (any digits, / or -).
func parseJDate(s string, loc *time.Location) (time.Time, bool) {
	s = strings.ReplaceAll(text.ASCIIDigits(strings.TrimSpace(s)), "-", "/")
	var y, m, d int
	if _, err := fmt.Sscanf(s, "%d/%d/%d", &y, &m, &d); err != nil || !jalaali.IsValidDate(y, m, d) {
		return time.Time{}, false
	}
	gy, gm, gd, err := jalaali.ToGregorian(y, jalaali.Month(m), d)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(gy, gm, gd, 0, 0, 0, 0, loc), true
}

func age(c *Console, lang string, d time.Duration) string {
	switch {
	case d < time.Hour:
		return c.cat.T(lang, "console.age.minutes", "n", digits(lang, int(d.Minutes())))
	case d < 48*time.Hour:
		return c.cat.T(lang, "console.age.hours", "n", digits(lang, int(d.Hours())))
	default:
		return c.cat.T(lang, "console.age.days", "n", digits(lang, int(d.Hours()/24)))
	}
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	if v.User != nil {
		v.Lang, v.CSRF = v.User.Lang, v.User.CSRF
	}
	if v.Lang == "" {
		v.Lang = lang(r)
	}
	v.Path = r.URL.RequestURI()
	v.Fonts = c.fontsAvailable()
	var buf bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		c.cfg.Log(fmt.Sprintf("console: render %s: %v", name, err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows an error page with a localized message.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, s *session, status int, key string) {
	c.render(w, r, status, "error", view{User: s, Error: key})
}

// failErr shows err: a lifecycle problem with its key and a fitting status, anything else as
// an internal error (logged without personal data).
func (c *Console) failErr(w http.ResponseWriter, r *http.Request, s *session, err error) {
	p, ok := problem.As(err)
	if !ok {
		c.cfg.Log("console: " + err.Error())
		c.fail(w, r, s, http.StatusInternalServerError, "console.error.internal")
		return
	}
	status := http.StatusConflict
	switch {
	case errors.Is(err, review.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, review.ErrForbidden):
		status = http.StatusForbidden
	case errors.Is(err, review.ErrReason), errors.Is(err, review.ErrNoteRequired), errors.Is(err, review.ErrBourseCode):
		status = http.StatusBadRequest
	}
	c.fail(w, r, s, status, p.Key)
}

type queueData struct {
	Page     review.Page
	Filter   review.Filter
	FromText string
	ToText   string
	Statuses []review.Status
	Kiosks   []string
	Prev     string
	Next     string
}

func (c *Console) queue(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	f := review.Filter{Status: review.Status(q.Get("status")), Kiosk: q.Get("kiosk"), Limit: 50}
	if f.Status == "" && q.Get("all") == "" && !q.Has("status") {
		f.Status = review.PendingReview
	}
	if f.Status != "" && !slices.Contains(review.Statuses, f.Status) {
		c.fail(w, r, s, http.StatusBadRequest, "console.error.filter")
		return
	}
	d := queueData{Statuses: review.Statuses, FromText: q.Get("from"), ToText: q.Get("to")}
	if d.FromText != "" {
		t, ok := parseJDate(d.FromText, c.cfg.Location)
		if !ok {
			c.fail(w, r, s, http.StatusBadRequest, "console.error.date")
			return
		}
		f.From = t
	}
	if d.ToText != "" {
		t, ok := parseJDate(d.ToText, c.cfg.Location)
		if !ok {
			c.fail(w, r, s, http.StatusBadRequest, "console.error.date")
			return
		}
		f.To = t.AddDate(0, 0, 1)
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 0)
	f.Offset = page * f.Limit
	var err error
	if d.Page, err = c.rv.Queue(r.Context(), f); err != nil {
		c.failErr(w, r, s, err)
		return
	}
	if d.Kiosks, err = c.rv.Kiosks(r.Context()); err != nil {
		c.failErr(w, r, s, err)
		return
	}
	d.Filter = f
	link := func(p int) string {
		v := url.Values{"status": {string(f.Status)}, "kiosk": {f.Kiosk}, "from": {d.FromText}, "to": {d.ToText}, "page": {strconv.Itoa(p)}}
		return "/console/queue?" + v.Encode()
	}
	if page > 0 {
		d.Prev = link(page - 1)
	}
	if f.Offset+len(d.Page.Items) < d.Page.Total {
		d.Next = link(page + 1)
	}
	c.render(w, r, http.StatusOK, "queue", view{User: s, Data: d, Notice: q.Get("notice")})
}

// Photo is one image of the dossier screen.
type photo struct {
	Name string
	URL  string
}

type dossierData struct {
	Case      review.Case
	Distance  *ruleView
	Photos    []photo
	Signature []photo
	Frames    []string
	FrameMS   []int64
	MediaErr  string // a locale key when the media could not be opened
	Checks    []checkView
	Challenge []challengeWindow // the last video check's numbers asked and read, window by window
	FourEyes  bool
	CanDecide bool
	CanIssue  bool
	CanSend   bool
}

type ruleView struct {
	Name      string
	Outcome   int
	Reason    string
	Value     float64
	Threshold float64
	Unit      string
}

// challengeWindow is one number of the finger challenge: the number shown and the number the
// liveness check read in its window.
type challengeWindow struct {
	Asked, Read int
}

type checkView struct {
	dossier.Check
	Rules []ruleView
}

func (c *Console) caseOf(w http.ResponseWriter, r *http.Request, s *session) (review.Case, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		c.fail(w, r, s, http.StatusNotFound, "review.error.not_found")
		return review.Case{}, false
	}
	cs, err := c.rv.Get(r.Context(), id)
	if err != nil {
		c.failErr(w, r, s, err)
		return review.Case{}, false
	}
	return cs, true
}

func (c *Console) dossier(w http.ResponseWriter, r *http.Request, s *session) {
	cs, ok := c.caseOf(w, r, s)
	if !ok {
		return
	}
	d := dossierData{Case: cs, FourEyes: c.rv.FourEyes()}
	base := fmt.Sprintf("/console/dossiers/%d", cs.ID)
	if cs.Purged {
		d.MediaErr = "console.dossier.purged"
	}
	for _, m := range cs.Dossier.Media {
		if len(m.Sealed) == 0 {
			d.MediaErr = "console.media.purged"
			continue
		}
		switch m.Name {
		case "registry.photo", "selfie":
			d.Photos = append(d.Photos, photo{Name: m.Name, URL: base + "/media/" + url.PathEscape(m.Name)})
		case "signature", "signature.clean":
			d.Signature = append(d.Signature, photo{Name: m.Name, URL: base + "/media/" + url.PathEscape(m.Name)})
		case "video":
			frames, err := c.video(cs, m)
			if err != nil {
				d.MediaErr = "console.media.unreadable"
				continue
			}
			for i, f := range frames {
				d.Frames = append(d.Frames, fmt.Sprintf("%s/frames/%d", base, i))
				d.FrameMS = append(d.FrameMS, f.TimestampMS)
			}
		}
	}
	// registry photo first, then the selfie, so they sit side by side in reading order.
	slices.SortFunc(d.Photos, func(a, b photo) int { return strings.Compare(a.Name, b.Name) })
	if len(c.cfg.MediaKey) != 32 && (c.cfg.Fleet == nil || c.cfg.Fleet.MediaKey(r.Context(), cs.KioskID) == nil) && len(cs.Dossier.Media) > 0 {
		d.MediaErr = "console.media.no_key"
	}
	for _, ch := range cs.Dossier.Checks {
		cv := checkView{Check: ch}
		for _, rl := range ch.Rules {
			rv := ruleView{Name: rl.Name, Outcome: int(rl.Outcome), Reason: rl.Reason, Value: rl.Value, Threshold: rl.Threshold, Unit: rl.Unit}
			cv.Rules = append(cv.Rules, rv)
			if rl.Name == "face.match.distance" {
				copy := rv
				d.Distance = &copy
			}
		}
		d.Checks = append(d.Checks, cv)
		if ch.Step == "video" {
			var windows []challengeWindow
			for _, rl := range ch.Rules {
				if strings.HasPrefix(rl.Name, "sequence.number.") {
					windows = append(windows, challengeWindow{Asked: int(rl.Threshold), Read: int(rl.Value)})
				}
			}
			if len(windows) > 0 {
				d.Challenge = windows // the last attempt's
			}
		}
	}
	st := cs.Status
	d.CanDecide = s.Role.CanDecide() && (st == review.PendingReview || st == review.MoreInfo || (st == review.AutoApproved && s.Role == review.RoleSupervisor))
	d.CanSend = s.Role.CanDecide() && (st == review.Approved || st == review.AutoApproved)
	d.CanIssue = s.Role.CanDecide() && (st == review.Approved || st == review.AutoApproved || st == review.SentToCSDI)
	c.render(w, r, http.StatusOK, "dossier", view{User: s, Data: d, Notice: r.URL.Query().Get("notice")})
}

// open returns a medium's plain bytes, checked against its SHA-256.
func (c *Console) open(cs review.Case, m dossier.Media) ([]byte, error) {
	key := c.cfg.MediaKey
	if c.cfg.Fleet != nil {
		if k := c.cfg.Fleet.MediaKey(context.Background(), cs.KioskID); k != nil {
			key = k
		}
	}
	b, err := dossier.Open(key, m.Sealed, []byte(cs.Key+"/"+m.Name))
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != m.SHA256 {
		return nil, fmt.Errorf("media %s: hash does not match", m.Name)
	}
	return b, nil
}

func (c *Console) video(cs review.Case, m dossier.Media) ([]dossierFrame, error) {
	b, err := c.open(cs, m)
	if err != nil {
		return nil, err
	}
	frames, err := dossier.DecodeVideo(b)
	if err != nil {
		return nil, err
	}
	out := make([]dossierFrame, len(frames))
	for i, f := range frames {
		out[i] = dossierFrame{TimestampMS: f.TimestampMS, Format: f.Image.Format, Data: f.Image.Data}
	}
	return out, nil
}

type dossierFrame struct {
	TimestampMS int64
	Format      string
	Data        []byte
}

func (c *Console) media(w http.ResponseWriter, r *http.Request, s *session) {
	cs, ok := c.caseOf(w, r, s)
	if !ok {
		return
	}
	name := r.PathValue("name")
	i := slices.IndexFunc(cs.Dossier.Media, func(m dossier.Media) bool { return m.Name == name })
	if i < 0 || name == "video" {
		http.NotFound(w, r)
		return
	}
	b, err := c.open(cs, cs.Dossier.Media[i])
	if err != nil {
		c.cfg.Log(fmt.Sprintf("console: dossier %d media %s: %v", cs.ID, name, err))
		http.Error(w, c.cat.T(s.Lang, "console.media.unreadable"), http.StatusUnprocessableEntity)
		return
	}
	serveImage(w, b)
}

func (c *Console) frame(w http.ResponseWriter, r *http.Request, s *session) {
	cs, ok := c.caseOf(w, r, s)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	i := slices.IndexFunc(cs.Dossier.Media, func(m dossier.Media) bool { return m.Name == "video" })
	if err != nil || i < 0 {
		http.NotFound(w, r)
		return
	}
	frames, err := c.video(cs, cs.Dossier.Media[i])
	if err != nil || n < 0 || n >= len(frames) {
		http.NotFound(w, r)
		return
	}
	serveImage(w, frames[n].Data)
}

// serveImage sends image bytes as what they are by content (JPEG or PNG only: anything else a
// kiosk put in a dossier is not shown to a browser).
func serveImage(w http.ResponseWriter, b []byte) {
	ct := http.DetectContentType(b)
	if ct != "image/jpeg" && ct != "image/png" {
		http.Error(w, "not an image", http.StatusUnprocessableEntity)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(b)
}

func (c *Console) version(r *http.Request) int64 {
	v, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return v
}

func (c *Console) back(w http.ResponseWriter, r *http.Request, notice string) {
	http.Redirect(w, r, fmt.Sprintf("/console/dossiers/%s?notice=%s", r.PathValue("id"), url.QueryEscape(notice)), http.StatusSeeOther)
}

func (c *Console) decide(w http.ResponseWriter, r *http.Request, s *session) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	st, err := c.rv.Decide(r.Context(), review.Decision{DossierID: id, Version: c.version(r), Actor: s.actor(),
		Action: review.Action(r.PostFormValue("action")), Reason: r.PostFormValue("reason"), Note: r.PostFormValue("note")})
	if err != nil {
		c.failErr(w, r, s, err)
		return
	}
	c.back(w, r, "console.notice."+string(st))
}

func (c *Console) confirm(w http.ResponseWriter, r *http.Request, s *session) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	st, err := c.rv.Confirm(r.Context(), id, c.version(r), s.actor(), r.PostFormValue("accept") == "yes", r.PostFormValue("note"))
	if err != nil {
		c.failErr(w, r, s, err)
		return
	}
	c.back(w, r, "console.notice."+string(st))
}

func (c *Console) markSent(w http.ResponseWriter, r *http.Request, s *session) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := c.rv.MarkSent(r.Context(), id, c.version(r), s.actor()); err != nil {
		c.failErr(w, r, s, err)
		return
	}
	c.back(w, r, "console.notice.sent_to_csdi")
}

func (c *Console) bourseCode(w http.ResponseWriter, r *http.Request, s *session) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	res, err := c.rv.IssueBourseCode(r.Context(), id, r.PostFormValue("code"), s.actor())
	if err != nil {
		c.failErr(w, r, s, err)
		return
	}
	if !res.SMSSent {
		c.back(w, r, "console.notice.sms_failed")
		return
	}
	c.back(w, r, "console.notice.bourse_code_issued")
}

func (s *session) actor() review.Actor { return review.Actor{Name: s.Username, Role: s.Role} }

type reportData struct {
	Days     []review.Day
	FromText string
	ToText   string
	Reasons  []string
}

func (c *Console) report(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	now := c.cfg.Now().In(c.cfg.Location)
	to := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, c.cfg.Location).AddDate(0, 0, 1)
	from := to.AddDate(0, 0, -14)
	d := reportData{FromText: q.Get("from"), ToText: q.Get("to"), Reasons: review.Reasons[review.Reject]}
	if d.FromText != "" {
		t, ok := parseJDate(d.FromText, c.cfg.Location)
		if !ok {
			c.fail(w, r, s, http.StatusBadRequest, "console.error.date")
			return
		}
		from = t
	}
	if d.ToText != "" {
		t, ok := parseJDate(d.ToText, c.cfg.Location)
		if !ok {
			c.fail(w, r, s, http.StatusBadRequest, "console.error.date")
			return
		}
		to = t.AddDate(0, 0, 1)
	}
	days, err := c.rv.Report(r.Context(), from, to, c.cfg.Location)
	if err != nil {
		c.failErr(w, r, s, err)
		return
	}
	d.Days = days
	c.render(w, r, http.StatusOK, "report", view{User: s, Data: d})
}

type accountsData struct {
	Accounts []Account
	Roles    []review.Role
	Created  string // user name of the account just created
	Password string // its password, shown once
}

func (c *Console) accounts(w http.ResponseWriter, r *http.Request, s *session) {
	c.renderAccounts(w, r, s, http.StatusOK, accountsData{}, "")
}

func (c *Console) renderAccounts(w http.ResponseWriter, r *http.Request, s *session, status int, d accountsData, errKey string) {
	list, err := Accounts(r.Context(), c.db)
	if err != nil {
		c.failErr(w, r, s, err)
		return
	}
	d.Accounts, d.Roles = list, review.Roles
	c.render(w, r, status, "accounts", view{User: s, Data: d, Error: errKey})
}

func (c *Console) addAccount(w http.ResponseWriter, r *http.Request, s *session) {
	user := strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))
	pass, err := CreateAccount(r.Context(), c.db, user, r.PostFormValue("display"), review.Role(r.PostFormValue("role")), c.cfg.Now())
	switch {
	case errors.Is(err, ErrAccountExists):
		c.renderAccounts(w, r, s, http.StatusConflict, accountsData{}, "console.accounts.exists")
	case err != nil:
		c.renderAccounts(w, r, s, http.StatusBadRequest, accountsData{}, "console.accounts.invalid")
	default:
		c.renderAccounts(w, r, s, http.StatusCreated, accountsData{Created: user, Password: pass}, "")
	}
}

type kiosksData struct {
	Kiosks      []fleet.Kiosk
	Fingerprint string
}

func (c *Console) kiosks(w http.ResponseWriter, r *http.Request, s *session) {
	c.renderKiosks(w, r, s, http.StatusOK, "", r.URL.Query().Get("notice"))
}

func (c *Console) renderKiosks(w http.ResponseWriter, r *http.Request, s *session, status int, errKey, notice string) {
	if c.cfg.Fleet == nil {
		c.fail(w, r, s, http.StatusNotFound, "fleet.error.unknown")
		return
	}
	list, err := c.cfg.Fleet.List(r.Context())
	if err != nil {
		c.failErr(w, r, s, err)
		return
	}
	c.render(w, r, status, "kiosks", view{User: s, Error: errKey, Notice: notice,
		Data: kiosksData{Kiosks: list, Fingerprint: c.cfg.Fleet.CA().Fingerprint()}})
}

func (c *Console) approveKiosk(w http.ResponseWriter, r *http.Request, s *session) {
	err := c.cfg.Fleet.Approve(r.Context(), r.PathValue("id"), text.ASCIIDigits(r.PostFormValue("code")), s.Username)
	if p, ok := problem.As(err); ok {
		c.renderKiosks(w, r, s, http.StatusConflict, p.Key, "")
		return
	} else if err != nil {
		c.failErr(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/console/kiosks?notice=fleet.notice.approved", http.StatusSeeOther)
}

func (c *Console) revokeKiosk(w http.ResponseWriter, r *http.Request, s *session) {
	if err := c.cfg.Fleet.Revoke(r.Context(), r.PathValue("id"), s.Username); err != nil {
		if p, ok := problem.As(err); ok {
			c.renderKiosks(w, r, s, http.StatusConflict, p.Key, "")
			return
		}
		c.failErr(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/console/kiosks?notice=fleet.notice.revoked", http.StatusSeeOther)
}
