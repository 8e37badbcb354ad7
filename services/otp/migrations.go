package otp

import (
	"embed"
	"io/fs"
)

// The OTP tables (otp_codes, otp_sends) are this package's own: their SQL lives in migrations/
// (NNNN_name.sql, versions 01NN) and the kiosk's store applies them at open with its own.

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the OTP tables' migrations, NNNN_name.sql at the root of the folder.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the folder is embedded: cannot happen
	}
	return sub
}
