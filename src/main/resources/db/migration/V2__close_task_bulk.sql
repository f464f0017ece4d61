-- close-task-bulk's own tables for the cluster profile (docs/CLUSTER.md). Version 1 is Quartz's tables.

-- Run journals: the write-ahead log of each file's run, one row per line (see closetaskbulk.run.Journal).
-- A file's run resumes from here on whichever instance picks the file up next.
CREATE TABLE ctb_journal (
    seq     BIGSERIAL   PRIMARY KEY,
    sha     VARCHAR(64) NOT NULL,            -- SHA-256 of the file's content
    line    TEXT        NOT NULL,            -- "run <base> <fingerprint>", "read <batch> {...}" or "ok <batch>"
    aside   BOOLEAN     NOT NULL DEFAULT FALSE, -- an unfinished run with other batching settings, kept for reference
    written TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ctb_journal_sha ON ctb_journal (sha, seq);

-- The processed-file register: Camel's JdbcMessageIdRepository (processorName 'close-task-bulk', messageId the
-- SHA-256 of a content processed). Its own layout, with a primary key so a content is registered once.
CREATE TABLE camel_messageprocessed (
    processorName VARCHAR(255) NOT NULL,
    messageId     VARCHAR(100) NOT NULL,
    createdAt     TIMESTAMP,
    PRIMARY KEY (processorName, messageId)
);
