package otp

import (
	"embed"
	"time"
)

// Migrations holds the SQL of the OTP tables (otp_codes, otp_sends), which
// live in migrations/NNNN_name.sql (versions 01NN); the kiosk's store applies them at open with
// its own (store.Schema{FS: Migrations, Dir: "migrations"}).
//
//go:embed migrations/*.sql
var Migrations embed.FS

// SendLogKept is how long the send log (hashed numbers) is kept: the rate limits look back one
// hour, so a day is ample.
const SendLogKept = 24 * time.Hour

// The retention purge's SQL for the OTP tables (store.Retention): a purged session's code, and the
// send log past SendLogKept.
const (
	ForgetSessionSQL = `DELETE FROM otp_codes WHERE session_id = ?`
	SendLog          = "otp_sends"
	CountSendLogSQL  = `SELECT COUNT(*) FROM otp_sends WHERE sent_at < ?`
	DeleteSendLogSQL = `DELETE FROM otp_sends WHERE sent_at < ?`
)
