-- Accounts a team can run (docs/api.md, "Accounts"): roles, disabling instead of deleting,
-- two-factor sign-in, invitations and one-time links, the audit trail, and a key shared by the
-- fleet for device cookies. Existing accounts become members; their sessions and profiles keep
-- working, and an instance of the previous release keeps working on this schema (every new
-- column has a default or may be null).
ALTER TABLE users ADD COLUMN role VARCHAR(16) NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'hr', 'admin'));
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP;
ALTER TABLE users ADD COLUMN last_sign_in_at TIMESTAMP;
ALTER TABLE users ADD COLUMN mfa_secret VARCHAR(64);
ALTER TABLE users ADD COLUMN mfa_pending_secret VARCHAR(64);
ALTER TABLE users ADD COLUMN mfa_last_step BIGINT;
CREATE INDEX idx_users_role ON users(role) WHERE disabled_at IS NULL;

-- An account that leaves is disabled, and the profiles it created stay. SQLite cannot alter a
-- foreign key: the table is made again with the same columns, rows and ids.
CREATE TABLE employees_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name VARCHAR(255) NOT NULL,
    role VARCHAR(255) NOT NULL,
    department VARCHAR(255) NOT NULL,
    image_s3_key VARCHAR(512),
    image_url VARCHAR(1024),
    user_id INTEGER NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE RESTRICT,
    CONSTRAINT name_not_empty CHECK (LENGTH(name) > 0)
);
INSERT INTO employees_new (id, name, role, department, image_s3_key, image_url, user_id, created_at, updated_at)
    SELECT id, name, role, department, image_s3_key, image_url, user_id, created_at, updated_at FROM employees;
DROP TABLE employees;
ALTER TABLE employees_new RENAME TO employees;
CREATE INDEX idx_employees_user_id ON employees(user_id);
CREATE INDEX idx_employees_department ON employees(department);

CREATE TABLE mfa_recovery_codes (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash VARCHAR(64) NOT NULL,
    used_at TIMESTAMP,
    PRIMARY KEY (user_id, code_hash)
);

-- One-time tokens, kept as their SHA-256: invitations (kind 'invite'), first-admin setup links
-- ('setup', usable only while no enabled admin exists) and password resets ('reset', for user_id).
CREATE TABLE account_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash VARCHAR(64) UNIQUE NOT NULL,
    kind VARCHAR(16) NOT NULL CHECK (kind IN ('invite', 'setup', 'reset')),
    role VARCHAR(16) CHECK (role IN ('member', 'hr', 'admin')),
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    used_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX idx_account_tokens_kind ON account_tokens(kind, id);

-- Who changed what: written in the transaction of the change it records.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    actor_id INTEGER REFERENCES users(id) ON DELETE RESTRICT,
    action VARCHAR(64) NOT NULL,
    target VARCHAR(64) NOT NULL,
    changes TEXT NOT NULL
);
CREATE INDEX idx_audit_log_actor ON audit_log(actor_id, id);
CREATE INDEX idx_audit_log_target ON audit_log(target, id);

-- Secrets the fleet shares, made once by whichever instance needs one first.
CREATE TABLE server_keys (
    name VARCHAR(64) PRIMARY KEY,
    secret VARCHAR(128) NOT NULL
);
