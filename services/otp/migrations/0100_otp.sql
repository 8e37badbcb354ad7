-- One-time codes of the OTP service (app/services/otp). Only hashes are stored: the mobile as an
-- HMAC under the service key, the code as HMAC(key, salt ‖ session ‖ code) with a per-code salt.
CREATE TABLE IF NOT EXISTS otp_codes (
    session_id    TEXT PRIMARY KEY,
    mobile_hash   BLOB    NOT NULL,
    salt          BLOB    NOT NULL,
    code_hash     BLOB    NOT NULL,
    expires_at    INTEGER NOT NULL, -- unix ms
    resend_at     INTEGER NOT NULL, -- unix ms
    attempts_left INTEGER NOT NULL,
    used          INTEGER NOT NULL DEFAULT 0
);

-- Every code sent, for the rate limits per number and per kiosk.
CREATE TABLE IF NOT EXISTS otp_sends (
    id          INTEGER PRIMARY KEY,
    mobile_hash BLOB    NOT NULL,
    kiosk_id    TEXT    NOT NULL,
    sent_at     INTEGER NOT NULL -- unix ms
);
CREATE INDEX IF NOT EXISTS otp_sends_mobile ON otp_sends (mobile_hash, sent_at);
CREATE INDEX IF NOT EXISTS otp_sends_kiosk ON otp_sends (kiosk_id, sent_at);
