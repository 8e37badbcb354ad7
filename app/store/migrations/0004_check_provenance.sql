-- Which plugin binary produced each verdict (sdk.Provenance as JSON: plugin, version, binary
-- SHA-256, signing key id), set by the kiosk's plugin host; '' for verdicts recorded before.
ALTER TABLE checks ADD COLUMN provenance TEXT NOT NULL DEFAULT '';
