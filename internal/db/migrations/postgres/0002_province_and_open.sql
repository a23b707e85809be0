-- Lists filtered by province (all its wards) and lists of open tickets
-- newest first must not read the table: a province column indexed with
-- the id, and a small index of the open tickets only.
ALTER TABLE tickets ADD COLUMN province_code TEXT REFERENCES areas(code);
UPDATE tickets SET province_code = a.parent_code FROM areas a WHERE a.code = tickets.area_code;
CREATE INDEX tickets_province ON tickets(province_code, id);
CREATE INDEX tickets_open ON tickets(id) WHERE resolved_at IS NULL;
