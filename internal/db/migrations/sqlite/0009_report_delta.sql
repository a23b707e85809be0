-- Leaders' figures without a hot row (internal/report): a ticket's writer
-- appends what its change moves to report_delta, one or two rows and never
-- an update, so concurrent writers never wait on (or deadlock over) the
-- same day's sums. The folder moves deltas into report_days and into
-- report_dims, the sums by day and one dimension at a time that an
-- unfiltered dashboard reads; readers add the deltas not yet folded.
CREATE TABLE report_delta (
    id INTEGER PRIMARY KEY,
    day         TEXT NOT NULL,
    hour        INTEGER NOT NULL,
    channel     TEXT NOT NULL,
    category_id BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    area_code   TEXT NOT NULL,
    agency_id   BIGINT NOT NULL,
    state       TEXT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0, resolved BIGINT NOT NULL DEFAULT 0, on_time BIGINT NOT NULL DEFAULT 0, due BIGINT NOT NULL DEFAULT 0,
    overdue BIGINT NOT NULL DEFAULT 0, forwarded BIGINT NOT NULL DEFAULT 0, direct BIGINT NOT NULL DEFAULT 0, returned BIGINT NOT NULL DEFAULT 0,
    extended BIGINT NOT NULL DEFAULT 0, rated BIGINT NOT NULL DEFAULT 0, rating_sum BIGINT NOT NULL DEFAULT 0, fr_n BIGINT NOT NULL DEFAULT 0,
    fr_sum BIGINT NOT NULL DEFAULT 0, h_sum BIGINT NOT NULL DEFAULT 0, h1 BIGINT NOT NULL DEFAULT 0, h5 BIGINT NOT NULL DEFAULT 0,
    h24 BIGINT NOT NULL DEFAULT 0, h72 BIGINT NOT NULL DEFAULT 0, hmore BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX report_delta_day ON report_delta(day);
CREATE TABLE report_dims (
    day TEXT NOT NULL,
    dim TEXT NOT NULL,
    val TEXT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0, resolved BIGINT NOT NULL DEFAULT 0, on_time BIGINT NOT NULL DEFAULT 0, due BIGINT NOT NULL DEFAULT 0,
    overdue BIGINT NOT NULL DEFAULT 0, forwarded BIGINT NOT NULL DEFAULT 0, direct BIGINT NOT NULL DEFAULT 0, returned BIGINT NOT NULL DEFAULT 0,
    extended BIGINT NOT NULL DEFAULT 0, rated BIGINT NOT NULL DEFAULT 0, rating_sum BIGINT NOT NULL DEFAULT 0, fr_n BIGINT NOT NULL DEFAULT 0,
    fr_sum BIGINT NOT NULL DEFAULT 0, h_sum BIGINT NOT NULL DEFAULT 0, h1 BIGINT NOT NULL DEFAULT 0, h5 BIGINT NOT NULL DEFAULT 0,
    h24 BIGINT NOT NULL DEFAULT 0, h72 BIGINT NOT NULL DEFAULT 0, hmore BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, dim, val)
);
