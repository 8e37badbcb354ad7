-- +goose Up
-- A bourse code belongs to one person: CSDI never issues it twice, so a second dossier given the
-- same code (a typo, a double entry) is refused by the engine.
CREATE UNIQUE INDEX dossiers_bourse_code ON dossiers (bourse_code) WHERE bourse_code <> '';
