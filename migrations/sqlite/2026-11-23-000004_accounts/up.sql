-- Signing in to the web app: a password per account (an Argon2id PHC string; NULL for an
-- account that signs in only with API tokens), server-side sessions (only the SHA-256
-- of the session id is kept, so a copy of the database does not sign anyone in), and
-- the failed sign-ins that throttle guessing, per email (hashed), across restarts.
ALTER TABLE users ADD COLUMN password_hash TEXT;

CREATE TABLE sessions (
    id_sha256 TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    csrf_token TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE sign_in_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email_sha256 TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts (email_sha256, at);
CREATE INDEX sign_in_attempts_at ON sign_in_attempts (at);
