package simulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // reference photos are JPEG or PNG
	_ "image/png"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ehraz/ehraz/services/sms"
)

// Config configures the simulator. Zero fields take the defaults in brackets.
type Config struct {
	// Username and Password are what POST accessToken accepts ["ehraz" / "ehraz-demo"].
	Username string
	Password string
	// APIKey is the bearer token Shahkar and registry calls must carry ["ehraz-demo-key"].
	APIKey string
	// PhotoDir is where identities' photo files are looked up.
	PhotoDir string
	// SMS sends SEJAM's codes to the registered mobile.
	SMS sms.Sender
	// RevealCodes adds the SEJAM code to the kycOtp answer as "demoCode" when the SMS provider
	// handed one back (the console provider): the operator screen shows it in demos. A real
	// SEJAM never does this.
	RevealCodes bool
	// OTPTTL [2m], OTPTries [5], ResendAfter [60s], TokenTTL [1h], SlowDelay [15s].
	OTPTTL      time.Duration
	OTPTries    int
	ResendAfter time.Duration
	TokenTTL    time.Duration
	SlowDelay   time.Duration
	// Now is the clock [time.Now].
	Now func() time.Time
}

// Server is the simulator's HTTP handler.
type Server struct {
	cfg Config
	ids map[string]Identity
	mux *http.ServeMux

	mu     sync.Mutex
	tokens map[string]time.Time    // access token → expiry
	codes  map[string]*pendingCode // national code → SEJAM code
	calls  map[string]int          // "kind/nationalCode" → calls, for Flaky
}

type pendingCode struct {
	code     string
	expires  time.Time
	resendAt time.Time
	tries    int
}

// New builds the simulator over the given identities.
func New(cfg Config, ids []Identity) (*Server, error) {
	if cfg.SMS == nil {
		return nil, fmt.Errorf("simulator: an SMS sender is required")
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&cfg.Username, "ehraz")
	def(&cfg.Password, "ehraz-demo")
	def(&cfg.APIKey, "ehraz-demo-key")
	defd := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defd(&cfg.OTPTTL, 2*time.Minute)
	defd(&cfg.ResendAfter, 60*time.Second)
	defd(&cfg.TokenTTL, time.Hour)
	defd(&cfg.SlowDelay, 15*time.Second)
	if cfg.OTPTries <= 0 {
		cfg.OTPTries = 5
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, ids: map[string]Identity{}, mux: http.NewServeMux(),
		tokens: map[string]time.Time{}, codes: map[string]*pendingCode{}, calls: map[string]int{}}
	for _, id := range ids {
		s.ids[id.NationalCode] = id
	}
	s.mux.HandleFunc("POST /sejam/v1/accessToken", s.accessToken)
	s.mux.HandleFunc("GET /sejam/v1/profiles/{nc}/isSejami", s.bearer(s.isSejami))
	s.mux.HandleFunc("POST /sejam/v1/kycOtp", s.bearer(s.kycOtp))
	s.mux.HandleFunc("GET /sejam/v1/servicesWithOtp/profiles/{nc}", s.bearer(s.profile))
	s.mux.HandleFunc("POST /shahkar/v1/matching", s.apiKey(s.shahkar))
	s.mux.HandleFunc("POST /registry/v1/card", s.apiKey(s.registryCard))
	s.mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Identities returns the seeded identities (a copy).
func (s *Server) Identities() []Identity {
	out := make([]Identity, 0, len(s.ids))
	for _, id := range s.ids {
		out = append(out, id)
	}
	return out
}

// Running is a simulator listening on a loopback port.
type Running struct {
	URL  string // e.g. "http://127.0.0.1:38123"
	srv  *http.Server
	done chan error
}

// Start listens on addr (loopback only, e.g. "127.0.0.1:0") and serves until Close or ctx ends.
func Start(ctx context.Context, addr string, h http.Handler) (*Running, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("simulator address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("simulator address %q: only loopback addresses are allowed", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("simulator listen %s: %w", addr, err)
	}
	r := &Running{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}, done: make(chan error, 1)}
	go func() { r.done <- r.srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		r.srv.Close()
	}()
	return r, nil
}

// Close stops the server.
func (r *Running) Close() error {
	err := r.srv.Close()
	<-r.done
	return err
}

// --- SEJAM ---------------------------------------------------------------------------------

// sejamError writes SEJAM's error shape.
func sejamError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "customMessage": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	var in struct{ Username, Password string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		sejamError(w, http.StatusBadRequest, "BAD_REQUEST", "invalid body")
		return
	}
	if subtle.ConstantTimeCompare([]byte(in.Username), []byte(s.cfg.Username)) != 1 ||
		subtle.ConstantTimeCompare([]byte(in.Password), []byte(s.cfg.Password)) != 1 {
		sejamError(w, http.StatusUnauthorized, "INVALID_CREDENTIALS", "invalid username or password")
		return
	}
	b := make([]byte, 24)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	s.mu.Lock()
	s.tokens[tok] = s.cfg.Now().Add(s.cfg.TokenTTL)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"accessToken": tok, "ttl": int(s.cfg.TokenTTL.Seconds())}})
}

func (s *Server) bearer(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		exp, known := s.tokens[tok]
		s.mu.Unlock()
		if !ok || !known || s.cfg.Now().After(exp) {
			sejamError(w, http.StatusUnauthorized, "UNAUTHORIZED", "access token is invalid or expired")
			return
		}
		next(w, r)
	}
}

// misbehave applies the identity's Behavior; it reports whether the answer was already written.
func (s *Server) misbehave(w http.ResponseWriter, r *http.Request, kind string, id Identity) bool {
	switch id.Behavior {
	case Down:
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return true
	case Slow:
		select {
		case <-time.After(s.cfg.SlowDelay):
		case <-r.Context().Done():
			return true
		}
	case Flaky:
		s.mu.Lock()
		key := kind + "/" + id.NationalCode
		s.calls[key]++
		first := s.calls[key] == 1
		s.mu.Unlock()
		if first {
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return true
		}
	}
	return false
}

func (s *Server) isSejami(w http.ResponseWriter, r *http.Request) {
	id, ok := s.ids[r.PathValue("nc")]
	if ok && s.misbehave(w, r, "isSejami", id) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": ok})
}

// kycOtp makes SEJAM send its code to the registered mobile. The public client code sends only
// uniqueIdentifier; the simulator also takes trackingCode and refuses a mismatch, because the
// kiosk must check the tracking code before spending an SMS (confirm the real endpoint).
func (s *Server) kycOtp(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UniqueIdentifier string `json:"uniqueIdentifier"`
		TrackingCode     string `json:"trackingCode"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		sejamError(w, http.StatusBadRequest, "BAD_REQUEST", "invalid body")
		return
	}
	id, ok := s.ids[in.UniqueIdentifier]
	if !ok {
		sejamError(w, http.StatusNotFound, "NOT_SEJAMI", "person is not registered in sejam")
		return
	}
	if s.misbehave(w, r, "kycOtp", id) {
		return
	}
	if subtle.ConstantTimeCompare([]byte(in.TrackingCode), []byte(id.TrackingCode)) != 1 {
		sejamError(w, http.StatusBadRequest, "TRACKING_CODE_MISMATCH", "tracking code does not match")
		return
	}
	now := s.cfg.Now()
	s.mu.Lock()
	if p := s.codes[id.NationalCode]; p != nil && now.Before(p.resendAt) {
		wait := int(p.resendAt.Sub(now).Seconds() + 0.999)
		s.mu.Unlock()
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": map[string]any{"code": "OTP_RESEND_TOO_SOON", "customMessage": "wait before asking again", "retryAfter": wait}})
		return
	}
	s.mu.Unlock()
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		sejamError(w, http.StatusInternalServerError, "INTERNAL", "random")
		return
	}
	code := fmt.Sprintf("%06d", n.Int64())
	rc, err := s.cfg.SMS.Send(r.Context(), id.Mobile, sms.Message{Template: "sejam-kyc", Tokens: []string{code}})
	if err != nil {
		sejamError(w, http.StatusBadGateway, "SMS_FAILED", "could not send the code")
		return
	}
	s.mu.Lock()
	s.codes[id.NationalCode] = &pendingCode{code: code, expires: now.Add(s.cfg.OTPTTL), resendAt: now.Add(s.cfg.ResendAfter), tries: s.cfg.OTPTries}
	s.mu.Unlock()
	data := map[string]any{"ttl": int(s.cfg.OTPTTL.Seconds()), "resendAfter": int(s.cfg.ResendAfter.Seconds()), "tries": s.cfg.OTPTries,
		"mobile": maskMobile(id.Mobile)}
	if s.cfg.RevealCodes && rc.DemoCode != "" {
		data["demoCode"] = rc.DemoCode
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

func maskMobile(m string) string {
	if len(m) != 11 {
		return ""
	}
	return m[:4] + "***" + m[7:]
}

func (s *Server) profile(w http.ResponseWriter, r *http.Request) {
	id, ok := s.ids[r.PathValue("nc")]
	if !ok {
		sejamError(w, http.StatusNotFound, "NOT_SEJAMI", "person is not registered in sejam")
		return
	}
	if s.misbehave(w, r, "profile", id) {
		return
	}
	otp := r.URL.Query().Get("otp")
	now := s.cfg.Now()
	s.mu.Lock()
	p := s.codes[id.NationalCode]
	var status int
	var code, msg string
	switch {
	case p == nil:
		status, code, msg = http.StatusBadRequest, "OTP_NOT_REQUESTED", "invalid otp"
	case !now.Before(p.expires):
		delete(s.codes, id.NationalCode)
		status, code, msg = http.StatusBadRequest, "OTP_EXPIRED", "otp expired"
	case p.tries <= 0:
		status, code, msg = http.StatusBadRequest, "OTP_TOO_MANY_TRIES", "too many tries"
	default:
		p.tries--
		if subtle.ConstantTimeCompare([]byte(otp), []byte(p.code)) != 1 {
			status, code, msg = http.StatusBadRequest, "INVALID_OTP", "invalid otp"
		} else {
			delete(s.codes, id.NationalCode)
		}
	}
	s.mu.Unlock()
	if status != 0 {
		sejamError(w, status, code, msg)
		return
	}
	priv := map[string]any{
		"firstName": id.FirstName, "lastName": id.LastName, "fatherName": id.FatherName,
		"gender": id.Gender, "birthDate": id.BirthDate, "placeOfBirth": id.PlaceOfBirth, "placeOfIssue": id.PlaceOfBirth,
		"nationality": id.Nationality,
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"type": id.Type, "uniqueIdentifier": id.NationalCode, "mobile": id.Mobile, "status": "SEJAMI",
		"privatePerson": priv, "tradingCodes": []any{}, "accounts": []any{},
	}})
}

// --- Shahkar and civil registry (inquiry-provider shape) ------------------------------------

func (s *Server) apiKey(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.APIKey)) != 1 {
			inquiryAnswer(w, http.StatusUnauthorized, "UNAUTHORIZED", nil, "invalid api key")
			return
		}
		next(w, r)
	}
}

func inquiryAnswer(w http.ResponseWriter, status int, code string, data any, msg string) {
	writeJSON(w, status, map[string]any{"success": status == http.StatusOK, "code": code, "data": data, "error": status != http.StatusOK, "message": msg})
}

func (s *Server) shahkar(w http.ResponseWriter, r *http.Request) {
	var in struct {
		NationalCode string `json:"nationalCode"`
		Mobile       string `json:"mobile"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		inquiryAnswer(w, http.StatusBadRequest, "BAD_REQUEST", nil, "invalid body")
		return
	}
	id, ok := s.ids[in.NationalCode]
	if ok && s.misbehave(w, r, "shahkar", id) {
		return
	}
	inquiryAnswer(w, http.StatusOK, "OK", map[string]any{"matched": ok && id.Owns(in.Mobile)}, "")
}

func (s *Server) registryCard(w http.ResponseWriter, r *http.Request) {
	var in struct {
		NationalCode string `json:"nationalCode"`
		BirthDate    string `json:"birthDate"`
		SerialNumber string `json:"serialNumber"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		inquiryAnswer(w, http.StatusBadRequest, "BAD_REQUEST", nil, "invalid body")
		return
	}
	id, ok := s.ids[in.NationalCode]
	if !ok {
		inquiryAnswer(w, http.StatusNotFound, "PERSON_NOT_FOUND", nil, "no such person")
		return
	}
	if s.misbehave(w, r, "registry", id) {
		return
	}
	if in.BirthDate != id.BirthDate {
		inquiryAnswer(w, http.StatusUnprocessableEntity, "BIRTH_DATE_MISMATCH", nil, "birth date does not match")
		return
	}
	var card *Card
	for i := range id.Cards {
		if strings.EqualFold(id.Cards[i].Serial, in.SerialNumber) {
			card = &id.Cards[i]
		}
	}
	switch {
	case card == nil:
		inquiryAnswer(w, http.StatusUnprocessableEntity, "SERIAL_MISMATCH", nil, "serial does not belong to this person")
		return
	case card.Revoked:
		inquiryAnswer(w, http.StatusUnprocessableEntity, "CARD_REVOKED", nil, "card is revoked")
		return
	}
	data := map[string]any{
		"nationalCode": id.NationalCode, "firstName": id.FirstName, "lastName": id.LastName,
		"fatherName": id.FatherName, "gender": id.Gender, "birthDate": id.BirthDate,
		"placeOfBirth": id.PlaceOfBirth, "alive": !id.Deceased, "cardKind": card.Kind,
	}
	if photo, err := s.loadPhoto(id.Photo); err == nil && photo != nil {
		data["photo"] = photo
	} else if err != nil {
		// A missing file means no reference photo: the face match then cannot verify, which the
		// flow sends to an operator. Say so in the answer rather than failing the inquiry.
		data["photoError"] = "photo unavailable"
	}
	inquiryAnswer(w, http.StatusOK, "OK", data, "")
}

func (s *Server) loadPhoto(name string) (map[string]any, error) {
	if name == "" {
		return nil, nil
	}
	if s.cfg.PhotoDir == "" {
		return nil, errors.New("no photo folder configured")
	}
	b, err := os.ReadFile(filepath.Join(s.cfg.PhotoDir, filepath.Base(name)))
	if err != nil {
		return nil, err
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("photo %s: %w", name, err)
	}
	return map[string]any{"format": format, "width": cfg.Width, "height": cfg.Height, "data": base64.StdEncoding.EncodeToString(b)}, nil
}
