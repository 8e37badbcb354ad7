package outbox

import "embed"

// Migrations holds the SQL of this package's own tables: The outbox table live in
// migrations/NNNN_name.sql (versions 01NN); the kiosk's store applies them at open with its own
// (store.Schema{FS: Migrations, Dir: "migrations"}).
//
//go:embed migrations/*.sql
var Migrations embed.FS

// ForgetSessionSQL is the outbox's part of the kiosk's retention purge (one ? parameter: the
// purged session's id): a dossier the intake refused is deleted with its session — it will
// never leave, and it holds the applicant's sealed data. A pending one stays (it may still be
// delivered); a delivered one holds only hashes and its receipt.
const ForgetSessionSQL = `DELETE FROM outbox WHERE session_id = ? AND state = 'refused'`
