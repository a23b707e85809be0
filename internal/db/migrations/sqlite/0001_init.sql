-- hotline schema, SQLite dialect. Keep table and column names identical to
-- ../postgres/0001_init.sql; only types and search objects differ.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Administrative units: provinces and wards (phường, xã, đặc khu).
CREATE TABLE areas (
    code        TEXT PRIMARY KEY,
    parent_code TEXT REFERENCES areas(code),
    level       TEXT NOT NULL CHECK (level IN ('province', 'ward')),
    type        TEXT NOT NULL,
    name        TEXT NOT NULL,
    full_name   TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    fold        TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT
);
CREATE INDEX areas_parent ON areas(parent_code);

-- The official old→new table, for addresses written before July 2025.
CREATE TABLE area_legacy (
    id                INTEGER PRIMARY KEY,
    new_code          TEXT NOT NULL REFERENCES areas(code),
    old_code          TEXT NOT NULL DEFAULT '',
    old_name          TEXT NOT NULL,
    old_district      TEXT NOT NULL,
    old_province_code TEXT NOT NULL,
    relation          TEXT NOT NULL,
    note              TEXT NOT NULL DEFAULT '',
    fold              TEXT NOT NULL
);
CREATE INDEX area_legacy_new ON area_legacy(new_code);
CREATE INDEX area_legacy_old ON area_legacy(old_code);

CREATE TABLE categories (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    parent_id    INTEGER REFERENCES categories(id),
    name_vi      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    default_kind TEXT NOT NULL DEFAULT 'report',
    sort         INTEGER NOT NULL DEFAULT 0,
    active       BOOLEAN NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE agencies (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    parent_id  INTEGER REFERENCES agencies(id),
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL DEFAULT 'department',
    area_code  TEXT REFERENCES areas(code),
    email      TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    aliases    TEXT NOT NULL DEFAULT '',
    calendar   TEXT NOT NULL DEFAULT '24x7',
    fold       TEXT NOT NULL DEFAULT '',
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX agencies_parent ON agencies(parent_id);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'operator', 'agency', 'viewer')),
    agency_id           INTEGER REFERENCES agencies(id),
    password_hash       TEXT NOT NULL DEFAULT '',
    active              BOOLEAN NOT NULL DEFAULT 1,
    locale              TEXT NOT NULL DEFAULT 'vi',
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    last_login_at       TIMESTAMP,
    password_changed_at TIMESTAMP,
    CHECK (role <> 'agency' OR agency_id IS NOT NULL)
);
CREATE INDEX users_agency ON users(agency_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    hash         BLOB NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    hash         BLOB NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Failed sign-ins, shared by every instance so throttling holds behind a
-- load balancer.
CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);

-- Reporters. Every personal field is AES-GCM ciphertext; lookups go
-- through keyed hashes in contact_identities.
CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY,
    name_enc    BLOB,
    phone_enc   BLOB,
    email_enc   BLOB,
    address_enc BLOB,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE contact_identities (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    value_hash BLOB NOT NULL,
    value_enc  BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (kind, value_hash)
);
CREATE INDEX contact_identities_contact ON contact_identities(contact_id);

CREATE TABLE holidays (
    day  TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE sla_policies (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    category_id    INTEGER REFERENCES categories(id),
    priority       TEXT,
    target_minutes INTEGER NOT NULL CHECK (target_minutes > 0),
    calendar       TEXT NOT NULL DEFAULT '24x7' CHECK (calendar IN ('24x7', 'office')),
    warn_percent   INTEGER NOT NULL DEFAULT 80 CHECK (warn_percent BETWEEN 1 AND 99),
    escalate_role  TEXT NOT NULL DEFAULT 'supervisor',
    active         BOOLEAN NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sla_policies_scope ON sla_policies(COALESCE(category_id, 0), COALESCE(priority, '')) WHERE active;

CREATE TABLE routing_rules (
    id           INTEGER PRIMARY KEY,
    category_id  INTEGER REFERENCES categories(id),
    area_code    TEXT REFERENCES areas(code),
    agency_id    INTEGER NOT NULL REFERENCES agencies(id),
    auto_forward BOOLEAN NOT NULL DEFAULT 0,
    note         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX routing_rules_scope ON routing_rules(COALESCE(category_id, 0), COALESCE(area_code, ''));

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    state             TEXT NOT NULL,
    kind              TEXT NOT NULL DEFAULT 'report',
    priority          TEXT NOT NULL DEFAULT 'normal',
    channel           TEXT NOT NULL,
    category_id       INTEGER REFERENCES categories(id),
    area_code         TEXT REFERENCES areas(code),
    address           TEXT NOT NULL DEFAULT '',
    lat               REAL,
    lng               REAL,
    title             TEXT NOT NULL DEFAULT '',
    content           TEXT NOT NULL,
    contact_id        INTEGER REFERENCES contacts(id),
    share_identity    BOOLEAN NOT NULL DEFAULT 0,
    owner_id          INTEGER REFERENCES users(id),
    agency_id         INTEGER REFERENCES agencies(id),
    assignment_id     INTEGER,
    sla_policy_id     INTEGER REFERENCES sla_policies(id),
    received_at       TIMESTAMP NOT NULL,
    deadline          TIMESTAMP NOT NULL,
    warn_at           TIMESTAMP NOT NULL,
    first_response_at TIMESTAMP,
    resolved_at       TIMESTAMP,
    closed_at         TIMESTAMP,
    sla_warned_at     TIMESTAMP,
    sla_breached_at   TIMESTAMP,
    answer            TEXT NOT NULL DEFAULT '',
    answered_by       INTEGER REFERENCES users(id),
    merged_into       INTEGER REFERENCES tickets(id),
    rating            INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment    TEXT NOT NULL DEFAULT '',
    rated_at          TIMESTAMP,
    published_at      TIMESTAMP,
    public_title      TEXT NOT NULL DEFAULT '',
    public_content    TEXT NOT NULL DEFAULT '',
    public_answer     TEXT NOT NULL DEFAULT '',
    created_by        INTEGER REFERENCES users(id),
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX tickets_state ON tickets(state, id);
CREATE INDEX tickets_channel ON tickets(channel, id);
CREATE INDEX tickets_category ON tickets(category_id, id);
CREATE INDEX tickets_agency ON tickets(agency_id, id);
CREATE INDEX tickets_area ON tickets(area_code, id);
CREATE INDEX tickets_contact ON tickets(contact_id, id);
CREATE INDEX tickets_owner ON tickets(owner_id, id);
CREATE INDEX tickets_open_deadline ON tickets(deadline, id) WHERE resolved_at IS NULL;
CREATE INDEX tickets_agency_deadline ON tickets(agency_id, deadline, id) WHERE resolved_at IS NULL;
CREATE INDEX tickets_published ON tickets(published_at, id) WHERE published_at IS NOT NULL;
-- Small partial indexes for the SLA sweeper: only open, unflagged tickets.
CREATE INDEX tickets_sla_warn ON tickets(warn_at) WHERE resolved_at IS NULL AND sla_warned_at IS NULL;
CREATE INDEX tickets_sla_breach ON tickets(deadline) WHERE resolved_at IS NULL AND sla_breached_at IS NULL;

-- Full-text index over the folded (diacritic-free) ticket text, filled by
-- the ticket store. Contentless: the text itself lives in tickets.
CREATE VIRTUAL TABLE tickets_fts USING fts5(
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TABLE assignments (
    id                INTEGER PRIMARY KEY,
    ticket_id         INTEGER NOT NULL REFERENCES tickets(id),
    agency_id         INTEGER NOT NULL REFERENCES agencies(id),
    state             TEXT NOT NULL,
    note              TEXT NOT NULL DEFAULT '',
    forwarded_by      INTEGER REFERENCES users(id),
    forwarded_at      TIMESTAMP NOT NULL,
    deadline          TIMESTAMP NOT NULL,
    accepted_by       INTEGER REFERENCES users(id),
    accepted_at       TIMESTAMP,
    returned_at       TIMESTAMP,
    return_reason     TEXT NOT NULL DEFAULT '',
    answered_by       INTEGER REFERENCES users(id),
    answered_at       TIMESTAMP,
    answer            TEXT NOT NULL DEFAULT '',
    ext_state         TEXT NOT NULL DEFAULT '',
    ext_until         TIMESTAMP,
    ext_reason        TEXT NOT NULL DEFAULT '',
    ext_requested_by  INTEGER REFERENCES users(id),
    ext_requested_at  TIMESTAMP,
    ext_decided_by    INTEGER REFERENCES users(id),
    ext_decided_at    TIMESTAMP,
    closed_at         TIMESTAMP
);
CREATE INDEX assignments_ticket ON assignments(ticket_id, id);
CREATE INDEX assignments_agency ON assignments(agency_id, state);
CREATE INDEX assignments_ext ON assignments(ext_requested_at) WHERE ext_state = 'requested';

-- The ticket timeline: inbound and outbound messages, calls, notes and
-- system events. (channel, provider_id) is the intake idempotency key.
CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    ticket_id      INTEGER NOT NULL REFERENCES tickets(id),
    kind           TEXT NOT NULL,
    channel        TEXT NOT NULL DEFAULT '',
    author_id      INTEGER REFERENCES users(id),
    body           TEXT NOT NULL DEFAULT '',
    event          TEXT NOT NULL DEFAULT '',
    data           TEXT NOT NULL DEFAULT '{}',
    provider_id    TEXT,
    delivery       TEXT NOT NULL DEFAULT '',
    delivery_error TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX messages_ticket ON messages(ticket_id, id);
CREATE UNIQUE INDEX messages_provider ON messages(channel, provider_id) WHERE provider_id IS NOT NULL;

CREATE TABLE attachments (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    message_id INTEGER REFERENCES messages(id),
    sha256     TEXT NOT NULL,
    name       TEXT NOT NULL,
    mime       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_ticket ON attachments(ticket_id);

CREATE TABLE reply_templates (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    body        TEXT NOT NULL,
    category_id INTEGER REFERENCES categories(id),
    active      BOOLEAN NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- Append-only, hash-chained audit log. Writers insert with seq NULL; the
-- chainer assigns seq, prev_hash and hash in commit order. The triggers
-- below refuse deletes and any change other than that one-time chaining.
CREATE TABLE audit_events (
    id        INTEGER PRIMARY KEY,
    at        TIMESTAMP NOT NULL,
    actor_id  INTEGER,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    ticket_id INTEGER,
    object    TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT '{}',
    ip        TEXT NOT NULL DEFAULT '',
    seq       INTEGER UNIQUE,
    prev_hash TEXT,
    hash      TEXT
);
CREATE INDEX audit_unchained ON audit_events(id) WHERE seq IS NULL;
CREATE INDEX audit_ticket ON audit_events(ticket_id, id);
CREATE INDEX audit_action ON audit_events(action, id);
CREATE INDEX audit_actor ON audit_events(actor_id, id);

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_chain_once BEFORE UPDATE ON audit_events
WHEN OLD.seq IS NOT NULL
  OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.actor_id IS NOT OLD.actor_id
  OR NEW.actor IS NOT OLD.actor OR NEW.action IS NOT OLD.action OR NEW.ticket_id IS NOT OLD.ticket_id
  OR NEW.object IS NOT OLD.object OR NEW.detail IS NOT OLD.detail OR NEW.ip IS NOT OLD.ip
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
