-- +goose Up
-- The kiosk's keyed audit-chain head each dossier carries (its sequence number), so a dossier
-- whose chain is not ahead of its kiosk's earlier ones is flagged for a reviewer.
ALTER TABLE dossiers ADD COLUMN audit_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX dossiers_kiosk_audit ON dossiers (kiosk_id, audit_seq);
