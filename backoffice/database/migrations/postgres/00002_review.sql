-- +goose Up
-- The review lifecycle (backoffice/review): every dossier gets a decision, by rule or by a named
-- reviewer, before a bourse code. status: received | auto_approved | pending_review |
-- awaiting_confirmation | more_info | approved | rejected | sent_to_csdi | bourse_code_issued.
ALTER TABLE dossiers ADD COLUMN version BIGINT  NOT NULL DEFAULT 1;       -- optimistic lock
ALTER TABLE dossiers ADD COLUMN findings TEXT NOT NULL DEFAULT '[]';      -- why the rule did not approve (JSON)
ALTER TABLE dossiers ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE dossiers ADD COLUMN decided_at BIGINT;
ALTER TABLE dossiers ADD COLUMN decision_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE dossiers ADD COLUMN proposal TEXT NOT NULL DEFAULT '';        -- four-eyes: a decision awaiting a supervisor (JSON)
-- Dossiers received before the lifecycle existed were never decided.
UPDATE dossiers SET status = 'pending_review' WHERE status = 'received';
-- One remote verification per national code, enforced by the engine: a rejected dossier frees
-- the code for a new attempt, any other does not.
CREATE UNIQUE INDEX dossiers_nc_active ON dossiers (nc_hash) WHERE status <> 'rejected';
CREATE INDEX dossiers_queue ON dossiers (status, received_at);
CREATE INDEX dossiers_kiosk ON dossiers (kiosk_id, received_at);

CREATE TABLE dossier_events (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_id  BIGINT  NOT NULL REFERENCES dossiers (id),
    at          BIGINT  NOT NULL,             -- unix ms
    actor       TEXT    NOT NULL,             -- "rule", "kiosk:<id>", or a reviewer's user name
    role        TEXT    NOT NULL DEFAULT '',
    action      TEXT    NOT NULL,
    from_status TEXT    NOT NULL DEFAULT '',
    to_status   TEXT    NOT NULL DEFAULT '',
    reason      TEXT    NOT NULL DEFAULT '',  -- a reason key from the list
    note        TEXT    NOT NULL DEFAULT ''   -- free text, sealed (may name the applicant)
);
CREATE INDEX dossier_events_dossier ON dossier_events (dossier_id, id);
CREATE INDEX dossier_events_day ON dossier_events (action, at);

CREATE TABLE amendments (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_id      BIGINT  NOT NULL REFERENCES dossiers (id),
    idempotency_key TEXT    NOT NULL UNIQUE,
    kiosk_id        TEXT    NOT NULL,
    received_at     BIGINT  NOT NULL,
    payload         BYTEA    NOT NULL          -- the signed amendment JSON, sealed
);
CREATE INDEX amendments_dossier ON amendments (dossier_id, id);

CREATE TABLE reviewers (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL,           -- reviewer | supervisor | admin
    password_hash TEXT    NOT NULL,           -- argon2id, PHC string
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE console_sessions (
    token_hash  BYTEA    PRIMARY KEY,          -- SHA-256 of the cookie's token
    reviewer_id BIGINT  NOT NULL REFERENCES reviewers (id),
    csrf        TEXT    NOT NULL,
    lang        TEXT    NOT NULL DEFAULT 'fa',
    created_at  BIGINT  NOT NULL,
    last_seen   BIGINT  NOT NULL
);
