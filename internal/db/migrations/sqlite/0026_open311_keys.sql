-- The api_keys of Open311 clients (internal/open311): only each key's
-- SHA-256 is kept; a revoked key stays for the record.
CREATE TABLE open311_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    hash         BLOB NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    created_by   INTEGER REFERENCES users(id),
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP,
    revoked_by   INTEGER REFERENCES users(id)
);
