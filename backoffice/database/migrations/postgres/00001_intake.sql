-- +goose Up
-- The intake's dossiers (the same columns as the SQLite engine's first version).
CREATE TABLE IF NOT EXISTS dossiers (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key TEXT    NOT NULL UNIQUE,
    session_id      TEXT    NOT NULL,
    kiosk_id        TEXT    NOT NULL,
    mode            TEXT    NOT NULL,
    submitter_ip    TEXT    NOT NULL,
    nc_hash         BYTEA   NOT NULL,
    payload         BYTEA   NOT NULL, -- dossier JSON (media included) sealed with the intake's data key
    payload_sha256  TEXT    NOT NULL,
    received_at     BIGINT  NOT NULL, -- unix ms
    status          TEXT    NOT NULL DEFAULT 'received',
    bourse_code     TEXT    NOT NULL DEFAULT '',
    sms_sent_at     BIGINT,
    sms_error       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS dossiers_nc ON dossiers (nc_hash);
CREATE INDEX IF NOT EXISTS dossiers_session ON dossiers (session_id);
