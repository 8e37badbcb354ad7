package otp

import "embed"

// Migrations holds the SQL of this package's own tables: The OTP tables (otp_codes, otp_sends) live in
// migrations/NNNN_name.sql (versions 01NN); the kiosk's store applies them at open with its own
// (store.Schema{FS: Migrations, Dir: "migrations"}).
//
//go:embed migrations/*.sql
var Migrations embed.FS
