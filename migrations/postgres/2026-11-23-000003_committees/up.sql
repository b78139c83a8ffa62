-- Committee business and the registers built on it: committees, memberships, meetings,
-- agenda items, procurement decisions and breaches. Each is a versioned record whose
-- body is the JSON the audit entry carries as its payload; the columns beside it are
-- what the service looks records up by. Old versions stay (is_current = 0).
CREATE TABLE records (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL,
    id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    is_current INTEGER NOT NULL,
    parent_id BIGINT,
    record_key TEXT,
    body TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    audit_seq BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, kind, id, version)
);
CREATE INDEX records_current ON records (organisation_id, kind, is_current, parent_id);
CREATE INDEX records_key ON records (organisation_id, kind, record_key);
