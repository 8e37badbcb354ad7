package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/backoffice/review"
)

// argon2id parameters: OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane) — a login costs
// about 30 ms here, which the rate limiter bounds.
const (
	kdfMemory  = 19 * 1024
	kdfTime    = 2
	kdfThreads = 1
	kdfKeyLen  = 32
)

// HashPassword returns the PHC string of password under argon2id with a random salt.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, kdfTime, kdfMemory, kdfThreads, kdfKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, kdfMemory, kdfTime, kdfThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the PHC string (whatever parameters it was
// hashed with, so they can be raised later).
func CheckPassword(phc, password string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 10 || p == 0 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Account is a console user.
type Account struct {
	ID       int64
	Username string
	Display  string
	Role     review.Role
	Disabled bool
	Created  time.Time
}

var usernamePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,31}$`)

// ErrAccountExists is a user name already taken.
var ErrAccountExists = errors.New("console: account exists")

// CreateAccount adds a console user with a new random password, which it returns once (only
// its hash is stored).
func CreateAccount(ctx context.Context, db *database.DB, username, display string, role review.Role, now time.Time) (string, error) {
	if !usernamePattern.MatchString(username) {
		return "", fmt.Errorf("console: user name %q: lower-case letters, digits and . _ - only, 2 to 32 characters", username)
	}
	switch role {
	case review.RoleReviewer, review.RoleSupervisor, review.RoleAdmin:
	default:
		return "", fmt.Errorf("console: unknown role %q", role)
	}
	if strings.TrimSpace(display) == "" {
		display = username
	}
	password := randomToken(12)
	hash, err := HashPassword(password)
	if err != nil {
		return "", err
	}
	_, err = db.ExecContext(ctx, `INSERT INTO reviewers (username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		username, display, string(role), hash, now.UnixMilli())
	if err != nil && database.IsUniqueViolation(err) {
		return "", ErrAccountExists
	}
	if err != nil {
		return "", fmt.Errorf("console: create account: %w", err)
	}
	return password, nil
}

// Accounts lists the console's users.
func Accounts(ctx context.Context, db *database.DB) ([]Account, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, username, display_name, role, disabled, created_at FROM reviewers ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("console: accounts: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		var at int64
		if err := rows.Scan(&a.ID, &a.Username, &a.Display, (*string)(&a.Role), &a.Disabled, &at); err != nil {
			return nil, fmt.Errorf("console: accounts: %w", err)
		}
		a.Created = time.UnixMilli(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// randomToken is n random bytes, base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("console: random: %v", err)) // the kernel's generator does not fail
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(tok string) []byte {
	s := sha256.Sum256([]byte(tok))
	return s[:]
}

// session is a signed-in reviewer.
type session struct {
	Account
	CSRF     string
	Lang     string
	LastSeen time.Time
	token    []byte
}

// limiter counts failed sign-ins per user name and per address; over Max in Window the key is
// refused for the rest of the window, right password or not.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, fails: map[string][]time.Time{}}
}

func (l *limiter) recent(key string, now time.Time) []time.Time {
	kept := l.fails[key][:0]
	for _, t := range l.fails[key] {
		if now.Sub(t) < l.window {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = kept
	return kept
}

// Blocked reports whether any of keys has used up its failures.
func (l *limiter) Blocked(now time.Time, keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if len(l.recent(k, now)) >= l.max {
			return true
		}
	}
	return false
}

// Fail records a failure for each key. The table is bounded: past 10,000 keys the oldest
// windows are dropped first by pruning everything expired.
func (l *limiter) Fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) > 10000 {
		for k := range l.fails {
			l.recent(k, now)
		}
	}
	for _, k := range keys {
		l.fails[k] = append(l.recent(k, now), now)
	}
}

// Reset forgets a key's failures (after a good sign-in).
func (l *limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}
