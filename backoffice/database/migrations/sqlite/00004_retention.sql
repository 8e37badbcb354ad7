-- +goose Up
-- Retention (backoffice/review Purge): when a rejected dossier's media were removed, and when a
-- dossier past the keeping period was reduced to its tombstone (status, times, the national
-- code's keyed hash; no personal data).
ALTER TABLE dossiers ADD COLUMN media_purged_at INTEGER;
ALTER TABLE dossiers ADD COLUMN purged_at INTEGER;
CREATE INDEX dossiers_retention ON dossiers (status, received_at);
