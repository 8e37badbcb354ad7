// Package store keeps the kiosk's durable state in one SQLite file (WAL) and a folder of sealed
// media: sessions with their personal fields sealed under AES-256-GCM, the append-only step
// history, every check verdict, the media index, operator overrides and a hash-chained audit
// log, with key rotation and retention purges. It implements flow.Store and flow.MediaReader,
// reads a finished session for the dossier (FinishedSession, handed to the outbox by the wiring)
// and hands its *sql.DB to the packages whose tables live in it (OTP, outbox): each owns its
// migrations and its part of the retention purge (Schema.Retention), and the store applies them
// (Options.Schemas) without naming their tables.
//
// On disk, under the data folder:
//
//	ehraz.db, -wal, -shm   SQLite; personal data only inside sessions.sealed
//	media/<session>/<name>.sealed
//	                       nonce ‖ AES-256-GCM(file), associated data = session + name
//	keys/store.key         the active key, hex, mode 0600 (or EHRAZ_STORE_KEY instead)
//	keys/store.key.next    only while a rotation runs (it resumes from it)
//	keys/retired/<id>.key  old keys kept for reading (ehrazctl keys rotate --keep-old)
//	.store.lock            flock: shared while open, exclusive for a rotation
//
// Clear columns are what operators and retention need and nothing about the person: ids, steps,
// mode, times, outcome keys, verdict outcomes/reasons/numbers, media names, sizes and SHA-256.
// The audit table chains HMAC-SHA256(chain key, prev ‖ row) over events, verdicts, stored media
// (a keyed hash of the file, never its plain SHA-256), overrides, purges and rotations; the chain
// key is derived from the store key (no extra key file) and the chain is re-keyed with every key
// rotation. VerifyAudit names the first altered, removed or reordered row (and says "could not
// verify" without the key), and AuditHead gives the value every dossier carries, so a truncated
// or rewritten tail shows against the heads the back office kept (VerifyAudit's heads).
package store
