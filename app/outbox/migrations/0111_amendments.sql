-- Amendments waiting to follow their dossier to the back office (app/outbox Amend): an
-- operator's override or note made after the session was submitted. The payload is the signed
-- dossier.Amendment JSON sealed under the outbox key; it leaves only after its dossier did.
CREATE TABLE IF NOT EXISTS outbox_amendments (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT    NOT NULL UNIQUE,
    session_id      TEXT    NOT NULL,
    payload         BLOB    NOT NULL,
    created_at      INTEGER NOT NULL, -- unix ms
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    state           TEXT    NOT NULL DEFAULT 'pending' -- pending | delivered | refused
);
CREATE INDEX IF NOT EXISTS outbox_amendments_due ON outbox_amendments (state, next_attempt_at);
