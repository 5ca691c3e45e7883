-- The directory's order and search (docs/api.md, "Listing and searching"), as columns the
-- server derives from a profile's fields when it writes them, so a read sorts and searches
-- plain columns through an index and folds nothing per row:
--   name_key        the name's Unicode collation key (ICU), hex: byte order is collation order
--   department_key  the department's key, then the name's
--   search_text     every folded word of name, role, department, email and location
--   derived_at      the updated_at they were derived at; a row written since by an instance
--                   that knows nothing of them (a rolling deploy) is derived again at start
-- Each has a default or may be null, so the previous release keeps writing rows; its rows sort
-- first (an empty key) on both engines until they are derived.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE employees
    ADD COLUMN name_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN department_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN search_text TEXT,
    ADD COLUMN derived_at TIMESTAMP;
CREATE INDEX idx_employees_name_key ON employees(name_key, id);
CREATE INDEX idx_employees_department_key ON employees(department_key, id);
-- Undated profiles come last in both directions.
CREATE INDEX idx_employees_start_date ON employees((COALESCE(start_date, DATE '9999-12-31')), id);
CREATE INDEX idx_employees_start_date_desc ON employees((COALESCE(start_date, DATE '0001-01-01')), id);
CREATE INDEX idx_employees_search ON employees USING gin (search_text gin_trgm_ops);
