-- Core tables. Every table carries organisation_id (organisations are the shard key);
-- records change only by new versions, and every change has its audit entry.
CREATE TABLE organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    chain_seq BIGINT NOT NULL DEFAULT 0,
    chain_head TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE audit_entries (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    seq BIGINT NOT NULL,
    org TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    prev TEXT NOT NULL,
    entry_sha256 TEXT NOT NULL,
    PRIMARY KEY (organisation_id, seq)
);
CREATE INDEX audit_entries_entity ON audit_entries (organisation_id, entity, entity_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE user_orgs (
    user_id BIGINT NOT NULL REFERENCES users(id),
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    person_id BIGINT,
    PRIMARY KEY (user_id, organisation_id)
);

CREATE TABLE api_tokens (
    token_sha256 TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE people (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    id BIGINT NOT NULL,
    slug TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    position TEXT NOT NULL,
    decision_making INTEGER NOT NULL,
    audit_seq BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, id),
    UNIQUE (organisation_id, slug)
);

CREATE TABLE declarations (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    is_current INTEGER NOT NULL,
    person_id BIGINT NOT NULL,
    position TEXT,
    interest_type TEXT NOT NULL,
    associate TEXT,
    description TEXT NOT NULL,
    body TEXT NOT NULL,
    arose_on TEXT NOT NULL,
    ended_on TEXT,
    declared_on TEXT NOT NULL,
    mitigation TEXT NOT NULL,
    state TEXT NOT NULL,
    withheld_reason TEXT,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    audit_seq BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, id, version),
    FOREIGN KEY (organisation_id, person_id) REFERENCES people(organisation_id, id)
);
CREATE INDEX declarations_current ON declarations (organisation_id, is_current, person_id);

CREATE TABLE gifts (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    is_current INTEGER NOT NULL,
    person_id BIGINT NOT NULL,
    giver TEXT NOT NULL,
    giver_is_supplier INTEGER NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    value_pence BIGINT NOT NULL,
    offered_on TEXT NOT NULL,
    outcome TEXT NOT NULL,
    approved_by TEXT,
    declared_on TEXT NOT NULL,
    state TEXT NOT NULL,
    withheld_reason TEXT,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    audit_seq BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, id, version),
    FOREIGN KEY (organisation_id, person_id) REFERENCES people(organisation_id, id)
);
CREATE INDEX gifts_current ON gifts (organisation_id, is_current, person_id);

CREATE TABLE returns (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    made_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    audit_seq BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, person_id) REFERENCES people(organisation_id, id)
);
