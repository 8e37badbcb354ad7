-- Sessions of the ten-step flow (app/store). Only non-personal columns are in clear; everything
-- about the person (numbers, names, codes, card, challenge, check artifacts) is the sealed
-- column: AES-256-GCM (nonce first) under the store key named by key_id, with the session id as
-- associated data so a blob cannot be moved to another row. Times are unix milliseconds.
CREATE TABLE IF NOT EXISTS sessions (
    id          TEXT    PRIMARY KEY,
    step        TEXT    NOT NULL,
    mode        TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    last_active INTEGER NOT NULL,
    accepted_at INTEGER NOT NULL DEFAULT 0,
    outcome     TEXT    NOT NULL DEFAULT '',
    finished    INTEGER NOT NULL DEFAULT 0, -- submitted, rejected or locked
    expired     INTEGER NOT NULL DEFAULT 0, -- idle timeout
    wiped       INTEGER NOT NULL DEFAULT 0, -- personal data and media deleted
    key_id      TEXT    NOT NULL,
    sealed      BLOB    NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_state ON sessions (finished, expired, started_at);
CREATE INDEX IF NOT EXISTS sessions_started ON sessions (started_at);

-- Step history, append-only (the trigger refuses updates; rows go only with their session).
CREATE TABLE IF NOT EXISTS events (
    id         INTEGER PRIMARY KEY,
    session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    from_step  TEXT    NOT NULL,
    to_step    TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    detail     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_session ON events (session_id, id);
CREATE TRIGGER IF NOT EXISTS events_append_only BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

-- Every verdict of every capture attempt. Outcomes, reason keys and measured numbers are not
-- personal; artifacts (images) stay in the sealed session blob.
CREATE TABLE IF NOT EXISTS checks (
    id          INTEGER PRIMARY KEY,
    session_id  TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    step        TEXT    NOT NULL,
    attempt     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    outcome     TEXT    NOT NULL, -- pass | fail | needs-review | could-not-verify
    reasons     TEXT    NOT NULL, -- JSON array of locale keys
    rules       TEXT    NOT NULL, -- JSON array of sdk.Rule
    score       REAL    NOT NULL,
    duration_ms INTEGER NOT NULL,
    UNIQUE (session_id, step, attempt)
);

-- Operator decisions on a step (operator mode), never personal.
CREATE TABLE IF NOT EXISTS overrides (
    id         INTEGER PRIMARY KEY,
    session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    step       TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    at         INTEGER NOT NULL
);

-- Index of the sealed media files under <data dir>/media (path relative to the data dir).
CREATE TABLE IF NOT EXISTS media (
    session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    format     TEXT    NOT NULL,
    path       TEXT    NOT NULL,
    sha256     TEXT    NOT NULL, -- hex, of the plain bytes
    size       INTEGER NOT NULL, -- plain bytes
    key_id     TEXT    NOT NULL,
    stored_at  INTEGER NOT NULL,
    PRIMARY KEY (session_id, name)
);

-- The audit chain: hash = sha256(prev_hash ‖ canonical(seq, at, session_id, kind, subject,
-- detail)). No personal data; rows outlive the sessions they describe.
CREATE TABLE IF NOT EXISTS audit (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    session_id TEXT    NOT NULL,
    kind       TEXT    NOT NULL, -- event | verdict | media | override | purge | keys
    subject    TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    prev_hash  BLOB    NOT NULL,
    hash       BLOB    NOT NULL
);
