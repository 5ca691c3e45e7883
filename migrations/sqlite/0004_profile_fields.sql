-- How to reach someone and who they report to (docs/api.md, "Employees"): all optional, so every
-- existing profile stays valid and an instance of the previous release keeps writing rows.
-- A deleted manager leaves the reports without one; an email names one profile at most.
ALTER TABLE employees ADD COLUMN email VARCHAR(254);
ALTER TABLE employees ADD COLUMN phone VARCHAR(40);
ALTER TABLE employees ADD COLUMN location VARCHAR(255);
ALTER TABLE employees ADD COLUMN manager_id INTEGER REFERENCES employees(id) ON DELETE SET NULL;
ALTER TABLE employees ADD COLUMN start_date VARCHAR(10);
ALTER TABLE employees ADD COLUMN account_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
CREATE UNIQUE INDEX idx_employees_email ON employees(lower(email));
CREATE INDEX idx_employees_manager_id ON employees(manager_id);
CREATE INDEX idx_employees_account_id ON employees(account_id);
