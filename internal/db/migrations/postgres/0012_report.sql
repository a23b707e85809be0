-- Leaders' figures (internal/report): report_facts holds what each
-- ticket now contributes, report_days the sums by local day and every
-- dimension a dashboard filters on. Both are written in the ticket's own
-- transaction; hotline report rebuild recomputes them from the tickets.
CREATE TABLE report_facts (
    ticket_id   BIGINT PRIMARY KEY,
    day         TEXT NOT NULL,
    hour        INTEGER NOT NULL,
    channel     TEXT NOT NULL,
    category_id BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    area_code   TEXT NOT NULL,
    agency_id   BIGINT NOT NULL,
    state       TEXT NOT NULL,
    m           TEXT NOT NULL
);
CREATE TABLE report_days (
    day         TEXT NOT NULL,
    hour        INTEGER NOT NULL,
    channel     TEXT NOT NULL,
    category_id BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    area_code   TEXT NOT NULL,
    agency_id   BIGINT NOT NULL,
    state       TEXT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    resolved BIGINT NOT NULL DEFAULT 0,
    on_time BIGINT NOT NULL DEFAULT 0,
    due BIGINT NOT NULL DEFAULT 0,
    overdue BIGINT NOT NULL DEFAULT 0,
    forwarded BIGINT NOT NULL DEFAULT 0,
    direct BIGINT NOT NULL DEFAULT 0,
    returned BIGINT NOT NULL DEFAULT 0,
    extended BIGINT NOT NULL DEFAULT 0,
    rated BIGINT NOT NULL DEFAULT 0,
    rating_sum BIGINT NOT NULL DEFAULT 0,
    fr_n BIGINT NOT NULL DEFAULT 0,
    fr_sum BIGINT NOT NULL DEFAULT 0,
    h_sum BIGINT NOT NULL DEFAULT 0,
    h1 BIGINT NOT NULL DEFAULT 0,
    h5 BIGINT NOT NULL DEFAULT 0,
    h24 BIGINT NOT NULL DEFAULT 0,
    h72 BIGINT NOT NULL DEFAULT 0,
    hmore BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, hour, channel, category_id, kind, area_code, agency_id, state)
);
CREATE INDEX report_days_agency ON report_days(agency_id, day);
