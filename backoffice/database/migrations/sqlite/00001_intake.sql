-- +goose Up
-- The intake's dossiers as they were before versioned migrations (IF NOT EXISTS: an older
-- database adopts this version as it is).
CREATE TABLE IF NOT EXISTS dossiers (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT    NOT NULL UNIQUE,
    session_id      TEXT    NOT NULL,
    kiosk_id        TEXT    NOT NULL,
    mode            TEXT    NOT NULL,
    submitter_ip    TEXT    NOT NULL,
    nc_hash         BLOB    NOT NULL,
    payload         BLOB    NOT NULL, -- dossier JSON sealed with the intake's data key
    payload_sha256  TEXT    NOT NULL,
    received_at     INTEGER NOT NULL, -- unix ms
    status          TEXT    NOT NULL DEFAULT 'received', -- received | bourse_code_issued
    bourse_code     TEXT    NOT NULL DEFAULT '',
    sms_sent_at     INTEGER,
    sms_error       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS dossiers_nc ON dossiers (nc_hash);
CREATE INDEX IF NOT EXISTS dossiers_session ON dossiers (session_id);
