package outbox

import (
	"embed"
	"io/fs"
)

// The outbox table is this package's own: its SQL lives in migrations/ (NNNN_name.sql, versions
// 01NN) and the kiosk's store applies it at open with its own.

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the outbox table's migrations, NNNN_name.sql at the root of the folder.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the folder is embedded: cannot happen
	}
	return sub
}
