-- The directory's order and search (docs/api.md, "Listing and searching"), as columns the
-- server derives from a profile's fields when it writes them, so a read sorts and searches
-- plain columns through an index and folds nothing per row:
--   name_key        the name's Unicode collation key (ICU), hex: byte order is collation order
--   department_key  the department's key, then the name's
--   search_text     every folded word of name, role, department, email and location
--   derived_at      the updated_at they were derived at; a row written since by an instance
--                   that knows nothing of them is derived again at start (until then its keys
--                   are empty: it sorts first on both engines)
ALTER TABLE employees ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN department_key TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN search_text TEXT;
ALTER TABLE employees ADD COLUMN derived_at TIMESTAMP;
CREATE INDEX idx_employees_name_key ON employees(name_key, id);
CREATE INDEX idx_employees_department_key ON employees(department_key, id);
-- Undated profiles come last in both directions.
CREATE INDEX idx_employees_start_date ON employees(COALESCE(start_date, '9999-12-31'), id);
CREATE INDEX idx_employees_start_date_desc ON employees(COALESCE(start_date, '0001-01-01'), id);

-- The search column's index: FTS5's trigrams answer GLOB (case-sensitive, as the column is
-- folded already) for any pattern with three characters in a row. The table holds no copy of
-- the text (external content); the triggers keep it in step with employees.
CREATE VIRTUAL TABLE employees_search USING fts5(
    search_text, content = 'employees', content_rowid = 'id', tokenize = 'trigram case_sensitive 1');
-- A row without the column (written before it existed, or by the previous release until it is
-- derived) is not in the index: deleting what was never indexed would corrupt it.
CREATE TRIGGER employees_search_insert AFTER INSERT ON employees WHEN new.search_text IS NOT NULL BEGIN
    INSERT INTO employees_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER employees_search_delete AFTER DELETE ON employees WHEN old.search_text IS NOT NULL BEGIN
    INSERT INTO employees_search (employees_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
-- One trigger, so the old entry is deleted before the new one is written (two triggers on one
-- event run in no promised order), and only when the column changed.
CREATE TRIGGER employees_search_update AFTER UPDATE OF search_text ON employees
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO employees_search (employees_search, rowid, search_text)
        SELECT 'delete', old.id, old.search_text WHERE old.search_text IS NOT NULL;
    INSERT INTO employees_search (rowid, search_text) SELECT new.id, new.search_text WHERE new.search_text IS NOT NULL;
END;
