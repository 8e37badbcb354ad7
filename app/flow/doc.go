// Package flow is the kiosk's ten-step identity-verification state machine: which step comes
// next, what each step checks, retries, lockouts, back rules and idle expiry. It talks to the
// world only through the ports in ports.go (store, OTP, SEJAM, registry, eligibility, detector
// plugins, dossier queue, clock) and knows nothing about Fyne, SQL or gRPC, so every rule is
// tested without a window. Every transition is committed to the Store before a method returns.
package flow
