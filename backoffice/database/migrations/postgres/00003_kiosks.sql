-- +goose Up
-- The fleet's kiosks (backoffice/fleet): enrolled with a one-time code an admin confirms, then
-- known by the client certificate the back office's CA issued them.
CREATE TABLE kiosks (
    id            TEXT    PRIMARY KEY,             -- the kiosk id, the certificate's name
    state         TEXT    NOT NULL,                -- pending | active | revoked
    code_hash     BYTEA    NOT NULL,                -- HMAC of the one-time code under the data key
    csr           TEXT    NOT NULL,                -- PEM request (its public key)
    media_key     BYTEA    NOT NULL,                -- the kiosk's transport key, sealed with the data key
    cert          TEXT    NOT NULL DEFAULT '',     -- the current certificate (PEM)
    cert_serial   TEXT    NOT NULL DEFAULT '',
    prev_serial   TEXT    NOT NULL DEFAULT '',     -- the certificate before the last renewal (until it expires)
    not_after     BIGINT  NOT NULL DEFAULT 0,      -- unix ms, the current certificate's end
    requested_at  BIGINT  NOT NULL,
    decided_by    TEXT    NOT NULL DEFAULT '',
    decided_at    BIGINT  NOT NULL DEFAULT 0,
    attempts      BIGINT  NOT NULL DEFAULT 0       -- wrong codes typed by admins
);
