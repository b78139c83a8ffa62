-- Editions: a frozen copy of an organisation's public registers as at the end of a day,
-- bound to the signed checkpoint of the chain's first `tree_size` entries (the last entry
-- on or before that day). One edition per date. Its files are kept as published, so
-- every generation of the site serves the same bytes.
CREATE TABLE editions (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    as_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    tree_size BIGINT NOT NULL,
    root TEXT NOT NULL,
    audit_seq BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (organisation_id, as_at)
);

CREATE TABLE edition_files (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    as_at TEXT NOT NULL,
    path TEXT NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (organisation_id, as_at, path)
);
