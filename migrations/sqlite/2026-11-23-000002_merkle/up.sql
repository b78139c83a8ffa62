-- The Merkle view of each chain (RFC 6962): every complete, aligned subtree hash, so a
-- proof for any (index, size) needs only O(log n) look-ups, never a rehash of the chain.
-- level 0 holds the leaf hashes; the node (level, idx) covers leaves
-- [idx * 2^level, (idx + 1) * 2^level).
CREATE TABLE merkle_nodes (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (organisation_id, level, idx)
);

-- Every signed checkpoint (tree head) ever published, so a watcher can ask for a
-- consistency proof between any two it has seen.
CREATE TABLE checkpoints (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    size BIGINT NOT NULL,
    root TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (organisation_id, size)
);
