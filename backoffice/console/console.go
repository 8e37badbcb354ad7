// Package console is the back office's review console: a web application (net/http and
// html/template, every asset embedded, no CDN, no inline script) where named reviewers work the
// queue of dossiers, look at each one's photos, signature, liveness video and check results,
// decide with a reason from a list, record the bourse code, and where supervisors confirm
// four-eyes decisions and read the daily report. Persian and right-to-left by default (Vazirmatn,
// Persian digits, Jalali dates), English switchable; every text comes from locales/.
//
// Security: argon2id password hashes; server-side sessions (a random cookie token, stored
// hashed) that expire after Config.Idle without a request; a CSRF token on every form; sign-in
// attempts limited per user name and per address; CSP without inline script, no framing, no
// referrer, no caching of pages.
package console

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/backoffice/fleet"
	"github.com/ehraz/ehraz/backoffice/netaddr"
	"github.com/ehraz/ehraz/backoffice/review"
	"github.com/ehraz/ehraz/locales"
)

//go:embed templates/*.html static
var embedded embed.FS

// Prefix is where the console is mounted.
const Prefix = "/console/"

// Config configures the console.
type Config struct {
	// MediaKey (32 bytes) opens the dossiers' media (the kiosks' transport key). Without it the
	// dossier screen says the media cannot be opened.
	MediaKey []byte
	// Fleet is the registry of enrolled kiosks: their media keys open their dossiers' media, and
	// admins approve and revoke kiosks on the kiosks page. nil: no kiosks page.
	Fleet *fleet.Registry
	// FontsDir holds Vazirmatn-Regular.ttf and Vazirmatn-Bold.ttf (served to the browser);
	// without them the pages fall back to the browser's fonts.
	FontsDir string
	// Idle ends a session after this long without a request [15m].
	Idle time.Duration
	// SLA is how long a dossier may wait for a decision before the queue marks it late [48h].
	SLA time.Duration
	// MaxFailures sign-in failures per user name or address in FailWindow block further tries
	// for the rest of the window [5 in 15m].
	MaxFailures int
	FailWindow  time.Duration
	// Location is the reviewers' time zone for dates and the report [Asia/Tehran].
	Location *time.Location
	// TrustedProxies are the TLS proxies whose X-Forwarded-For names the reviewer's address.
	TrustedProxies []netip.Prefix
	// SecureCookies marks cookies Secure (set when the console is served over TLS).
	SecureCookies bool
	Now           func() time.Time
	// Log receives what an operator should know (never personal data); nil drops it.
	Log func(msg string)
}

// Console is the review console's HTTP handler.
type Console struct {
	cfg     Config
	db      *database.DB
	rv      *review.Service
	cat     *locales.Catalog
	pages   map[string]*template.Template
	mux     *http.ServeMux
	limiter *limiter
	static  fs.FS
	dummy   string // a hash to check unknown user names against, so they take as long
}

// New builds the console over the back office's database and lifecycle.
func New(db *database.DB, rv *review.Service, cfg Config) (*Console, error) {
	if cfg.Idle <= 0 {
		cfg.Idle = 15 * time.Minute
	}
	if cfg.SLA <= 0 {
		cfg.SLA = 48 * time.Hour
	}
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = 5
	}
	if cfg.FailWindow <= 0 {
		cfg.FailWindow = 15 * time.Minute
	}
	if cfg.Location == nil {
		loc, err := time.LoadLocation("Asia/Tehran")
		if err != nil {
			loc = time.FixedZone("IRST", 3*3600+1800)
		}
		cfg.Location = loc
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = func(string) {}
	}
	cat, err := locales.Load()
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	static, err := fs.Sub(embedded, "static")
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	c := &Console{cfg: cfg, db: db, rv: rv, cat: cat, mux: http.NewServeMux(), limiter: newLimiter(cfg.MaxFailures, cfg.FailWindow), static: static}
	if c.dummy, err = HashPassword(randomToken(16)); err != nil {
		return nil, err
	}
	if err := c.parse(); err != nil {
		return nil, err
	}
	c.routes()
	return c, nil
}

func (c *Console) routes() {
	m := c.mux
	m.HandleFunc("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/queue", http.StatusSeeOther)
	})
	m.HandleFunc("GET /console/static/{file}", c.serveStatic)
	m.HandleFunc("GET /console/lang", c.switchLang)
	m.HandleFunc("GET /console/login", c.loginPage)
	m.HandleFunc("POST /console/login", c.login)
	m.HandleFunc("POST /console/logout", c.need(c.logout))
	m.HandleFunc("GET /console/queue", c.need(c.queue))
	m.HandleFunc("GET /console/dossiers/{id}", c.need(c.dossier))
	m.HandleFunc("GET /console/dossiers/{id}/media/{name}", c.need(c.media))
	m.HandleFunc("GET /console/dossiers/{id}/frames/{n}", c.need(c.frame))
	m.HandleFunc("POST /console/dossiers/{id}/decide", c.need(c.decide))
	m.HandleFunc("POST /console/dossiers/{id}/confirm", c.need(c.confirm))
	m.HandleFunc("POST /console/dossiers/{id}/sent", c.need(c.markSent))
	m.HandleFunc("POST /console/dossiers/{id}/bourse-code", c.need(c.bourseCode))
	m.HandleFunc("GET /console/report", c.need(c.report, review.RoleSupervisor, review.RoleAdmin))
	m.HandleFunc("GET /console/accounts", c.need(c.accounts, review.RoleAdmin))
	m.HandleFunc("POST /console/accounts", c.need(c.addAccount, review.RoleAdmin))
	m.HandleFunc("GET /console/kiosks", c.need(c.kiosks, review.RoleAdmin))
	m.HandleFunc("POST /console/kiosks/{id}/approve", c.need(c.approveKiosk, review.RoleAdmin))
	m.HandleFunc("POST /console/kiosks/{id}/revoke", c.need(c.revokeKiosk, review.RoleAdmin))
}

func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if !strings.HasPrefix(r.URL.Path, "/console/static/") {
		h.Set("Cache-Control", "no-store")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	c.mux.ServeHTTP(w, r)
}

const (
	sessionCookie = "ehraz_console"
	langCookie    = "ehraz_lang"
	loginCookie   = "ehraz_login_csrf"
)

type ctxKey struct{}

// need wraps a handler that needs a signed-in reviewer (with one of roles, when given) and, for
// POST, the session's CSRF token.
func (c *Console) need(next func(http.ResponseWriter, *http.Request, *session), roles ...review.Role) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := c.session(r)
		if err != nil {
			c.cfg.Log("console: session: " + err.Error())
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if s == nil {
			to := "/console/login"
			if _, err := r.Cookie(sessionCookie); err == nil {
				to += "?expired=1"
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		if len(roles) > 0 && !containsRole(roles, s.Role) {
			c.fail(w, r, s, http.StatusForbidden, "review.error.forbidden")
			return
		}
		if r.Method == http.MethodPost {
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(s.CSRF)) != 1 {
				c.fail(w, r, s, http.StatusForbidden, "console.error.csrf")
				return
			}
		}
		next(w, r, s)
	}
}

func containsRole(roles []review.Role, r review.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// session returns the signed-in reviewer of r, or nil (no cookie, unknown, idle too long, or a
// disabled account). It touches the session's last-seen time.
func (c *Console) session(r *http.Request) (*session, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	tok := hashToken(ck.Value)
	var s session
	var last int64
	err = c.db.QueryRowContext(r.Context(), `SELECT r.id, r.username, r.display_name, r.role, r.disabled, s.csrf, s.lang, s.last_seen
		FROM console_sessions s JOIN reviewers r ON r.id = s.reviewer_id WHERE s.token_hash = ?`, tok).
		Scan(&s.ID, &s.Username, &s.Display, (*string)(&s.Role), &s.Disabled, &s.CSRF, &s.Lang, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	now := c.cfg.Now()
	s.LastSeen, s.token = time.UnixMilli(last), tok
	if s.Disabled || now.Sub(s.LastSeen) > c.cfg.Idle {
		c.db.ExecContext(r.Context(), `DELETE FROM console_sessions WHERE token_hash = ?`, tok)
		return nil, nil
	}
	if now.Sub(s.LastSeen) > 10*time.Second {
		if _, err := c.db.ExecContext(r.Context(), `UPDATE console_sessions SET last_seen = ? WHERE token_hash = ?`, now.UnixMilli(), tok); err != nil {
			return nil, fmt.Errorf("touch session: %w", err)
		}
	}
	if l, err := r.Cookie(langCookie); err == nil && validLang(l.Value) {
		s.Lang = l.Value
	}
	return &s, nil
}

func validLang(l string) bool {
	for _, x := range locales.Languages {
		if x == l {
			return true
		}
	}
	return false
}

// lang is the language of a request without a session: the cookie, else Persian.
func lang(r *http.Request) string {
	if l, err := r.Cookie(langCookie); err == nil && validLang(l.Value) {
		return l.Value
	}
	return locales.Default
}

func (c *Console) cookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: Prefix, HttpOnly: true, Secure: c.cfg.SecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: maxAge})
}

func (c *Console) switchLang(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if !validLang(to) {
		to = locales.Default
	}
	c.cookie(w, langCookie, to, 365*24*3600)
	back := r.URL.Query().Get("back")
	if !strings.HasPrefix(back, Prefix) || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n") {
		back = "/console/queue"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (c *Console) serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if strings.HasSuffix(name, ".ttf") {
		if name != "Vazirmatn-Regular.ttf" && name != "Vazirmatn-Bold.ttf" || c.cfg.FontsDir == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		http.ServeFile(w, r, filepath.Join(c.cfg.FontsDir, name))
		return
	}
	b, err := fs.ReadFile(c.static, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasSuffix(name, ".css"):
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(b)
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	c.renderLogin(w, r, http.StatusOK, "")
}

func (c *Console) renderLogin(w http.ResponseWriter, r *http.Request, status int, errKey string) {
	tok := randomToken(24)
	c.cookie(w, loginCookie, tok, 600)
	if errKey == "" && r.URL.Query().Get("expired") == "1" {
		errKey = "console.login.expired"
	}
	c.render(w, r, status, "login", view{Lang: lang(r), Error: errKey, CSRF: tok})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie(loginCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		c.renderLogin(w, r, http.StatusForbidden, "console.error.csrf")
		return
	}
	user := strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))
	pass := r.PostFormValue("password")
	addr := netaddr.ClientIP(r, c.cfg.TrustedProxies).String()
	now := c.cfg.Now()
	if c.limiter.Blocked(now, "user:"+user, "addr:"+addr) {
		c.cfg.Log("console: sign-in refused, too many failures (user or address)")
		c.renderLogin(w, r, http.StatusTooManyRequests, "console.login.too_many")
		return
	}
	var id int64
	var hash string
	var disabled bool
	err = c.db.QueryRowContext(r.Context(), `SELECT id, password_hash, disabled FROM reviewers WHERE username = ?`, user).Scan(&id, &hash, &disabled)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		c.cfg.Log("console: sign-in: " + err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err != nil {
		hash = c.dummy // same work for an unknown name as for a wrong password
	}
	if !CheckPassword(hash, pass) || err != nil || disabled {
		c.limiter.Fail(now, "user:"+user, "addr:"+addr)
		c.renderLogin(w, r, http.StatusUnauthorized, "console.login.wrong")
		return
	}
	c.limiter.Reset("user:" + user)
	tok := randomToken(32)
	if _, err := c.db.ExecContext(r.Context(), `INSERT INTO console_sessions (token_hash, reviewer_id, csrf, lang, created_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)`,
		hashToken(tok), id, randomToken(24), lang(r), now.UnixMilli(), now.UnixMilli()); err != nil {
		c.cfg.Log("console: sign-in: " + err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	// Sessions idle for long are swept at each sign-in.
	c.db.ExecContext(r.Context(), `DELETE FROM console_sessions WHERE last_seen < ?`, now.Add(-c.cfg.Idle).UnixMilli())
	c.cookie(w, loginCookie, "", -1)
	c.cookie(w, sessionCookie, tok, 0)
	http.Redirect(w, r, "/console/queue", http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request, s *session) {
	c.db.ExecContext(r.Context(), `DELETE FROM console_sessions WHERE token_hash = ?`, s.token)
	c.cookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// Bootstrap creates the account username with role when the console has no account yet, and
// returns its password (to be shown once); "" when accounts exist.
func Bootstrap(ctx context.Context, db *database.DB, username string, role review.Role, now time.Time) (string, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM reviewers`).Scan(&n); err != nil {
		return "", fmt.Errorf("console: count accounts: %w", err)
	}
	if n > 0 {
		return "", nil
	}
	p, err := CreateAccount(ctx, db, username, "", role, now)
	if errors.Is(err, ErrAccountExists) { // another back-office process on the same database was first
		return "", nil
	}
	return p, err
}

// fontsAvailable reports whether the font files are there (the pages say which font is used).
func (c *Console) fontsAvailable() bool {
	_, err := os.Stat(filepath.Join(c.cfg.FontsDir, "Vazirmatn-Regular.ttf"))
	return err == nil
}
