// Package sms sends short text messages to applicants: one-time codes and the bourse-code notice.
// Two providers: Console, for demos, which hands the code to the operator screen instead of
// sending it (and never logs it), and Gateway, an HTTP client shaped like the "verify lookup"
// template APIs of Iranian SMS gateways (Kavenegar's POST /v1/{API_KEY}/verify/lookup.json).
package sms

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ehraz/ehraz/services/secrets"
)

// Template names a message template registered at the gateway; the gateway fills its
// placeholders (%token, %token2, %token3) with Message.Tokens.
type Template string

// Message is one templated message.
type Message struct {
	Template Template
	// Tokens fill the template in order (at most three). Tokens hold codes and other personal
	// data: never log them.
	Tokens []string
}

// Receipt is the provider's acknowledgement.
type Receipt struct {
	// MessageID is the gateway's id, for support tickets.
	MessageID string
	// DemoCode is set only by Console: the first token, for the operator screen.
	DemoCode string
}

// Sender sends one message to one mobile number (normalized 09XXXXXXXXX).
type Sender interface {
	Send(ctx context.Context, mobile string, m Message) (Receipt, error)
}

// Console is the demo provider: nothing leaves the machine. It returns the code in the
// Receipt so the kiosk's operator screen can show it, and keeps the last messages in memory
// for the operator screen and tests. It never writes them to a log.
type Console struct {
	mu   sync.Mutex
	max  int
	sent []Sent
}

// Sent is a message the Console provider accepted.
type Sent struct {
	Mobile  string
	Message Message
	At      time.Time
}

// NewConsole returns a console provider that remembers the last keep messages (at least 1).
func NewConsole(keep int) *Console {
	if keep < 1 {
		keep = 1
	}
	return &Console{max: keep}
}

// Send records the message and returns its first token as the demo code.
func (c *Console) Send(ctx context.Context, mobile string, m Message) (Receipt, error) {
	if err := ctx.Err(); err != nil {
		return Receipt{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, Sent{Mobile: mobile, Message: m, At: time.Now()})
	if len(c.sent) > c.max {
		c.sent = c.sent[len(c.sent)-c.max:]
	}
	r := Receipt{MessageID: "console"}
	if len(m.Tokens) > 0 {
		r.DemoCode = m.Tokens[0]
	}
	return r, nil
}

// Last returns the newest message sent to mobile, if any.
func (c *Console) Last(mobile string) (Sent, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.sent) - 1; i >= 0; i-- {
		if c.sent[i].Mobile == mobile {
			return c.sent[i], true
		}
	}
	return Sent{}, false
}

// Recent returns the kept messages, newest first (for the operator screen).
func (c *Console) Recent() []Sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Sent, len(c.sent))
	for i, s := range c.sent {
		out[len(c.sent)-1-i] = s
	}
	return out
}

var (
	_ Sender = (*Console)(nil)
	_ Sender = (*Gateway)(nil)
)

// New returns the configured provider: "console" (or "") prints to the console and also returns
// the console so the demo can show codes; "gateway" sends through the HTTP gateway at baseURL with
// the API key from $EHRAZ_SMS_API_KEY or apiKeyFile.
func New(provider, baseURL, apiKeyFile string) (Sender, *Console, error) {
	switch strings.TrimSpace(provider) {
	case "", "console":
		c := NewConsole(50)
		return c, c, nil
	case "gateway":
		key, err := secrets.Secret("EHRAZ_SMS_API_KEY", apiKeyFile)
		if err != nil {
			return nil, nil, err
		}
		g, err := NewGateway(GatewayConfig{BaseURL: baseURL, APIKey: key})
		if err != nil {
			return nil, nil, err
		}
		return g, nil, nil
	}
	return nil, nil, fmt.Errorf("sms: provider %q: want console or gateway", provider)
}
