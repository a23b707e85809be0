-- Chat channel accounts (a Zalo OA, a Facebook page, a Viber bot): one row
-- each. Settings holds the plain keys (app_id, api_base…); secrets (tokens,
-- app secrets) are one AES-GCM ciphertext of a JSON object, sealed with the
-- personal-data key. The health columns feed the channel page and /metrics.
CREATE TABLE channel_accounts (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    name             TEXT NOT NULL,
    settings         TEXT NOT NULL DEFAULT '{}',
    secrets_enc      BLOB,
    enabled          BOOLEAN NOT NULL DEFAULT 1,
    last_inbound_at  TIMESTAMP,
    last_outbound_at TIMESTAMP,
    last_error       TEXT NOT NULL DEFAULT '',
    last_error_at    TIMESTAMP,
    token_expires_at TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    UNIQUE (kind, name)
);

-- The channel account a chat ticket arrived on: replies go back through
-- it, and a contact's next message joins the open ticket on it.
ALTER TABLE tickets ADD COLUMN channel_account_id INTEGER REFERENCES channel_accounts(id);
CREATE INDEX tickets_contact_account ON tickets(contact_id, channel_account_id, id) WHERE channel_account_id IS NOT NULL;

-- Follow state of a chat identity: followed, unfollowed ('' when unknown).
ALTER TABLE contact_identities ADD COLUMN state TEXT NOT NULL DEFAULT '';
ALTER TABLE contact_identities ADD COLUMN state_at TIMESTAMP;
