-- Sign-in throttling (docs/api.md): failed sign-ins and sign-ups per account and per client
-- address, kept in the database so that every instance of the fleet sees the same counts.
-- subject: 'account:' and the SHA-256 of the lowercased username, or 'address:' and the client's
-- address. version changes with every write, so that instances update a count without a lock.
CREATE TABLE sign_in_failures (
    subject VARCHAR(100) PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX idx_sign_in_failures_last ON sign_in_failures(last_failure_at);
