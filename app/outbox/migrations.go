package outbox

import "embed"

// Migrations holds the SQL of this package's own tables: The outbox table live in
// migrations/NNNN_name.sql (versions 01NN); the kiosk's store applies them at open with its own
// (store.Schema{FS: Migrations, Dir: "migrations"}).
//
//go:embed migrations/*.sql
var Migrations embed.FS
