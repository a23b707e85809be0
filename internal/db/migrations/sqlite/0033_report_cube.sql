-- Filtered figures from kept sums (internal/report): report_cube holds,
-- for each filter a dashboard offers alone (fdim: channel, category,
-- area, agency; fval: its value), the sums by day and one dimension, and
-- by month ('m:' before the dimension, the month's first day) for every
-- dimension but the channel, as report_dims does for the unfiltered view.
-- A filtered year reads a few thousand rows, whatever the number of
-- tickets. The folder keeps it with report_days and report_dims; hotline
-- report rebuild derives it from report_days.
CREATE TABLE report_cube (
    fdim TEXT NOT NULL,
    fval TEXT NOT NULL,
    day  TEXT NOT NULL,
    dim  TEXT NOT NULL,
    val  TEXT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0, resolved BIGINT NOT NULL DEFAULT 0, on_time BIGINT NOT NULL DEFAULT 0, due BIGINT NOT NULL DEFAULT 0,
    overdue BIGINT NOT NULL DEFAULT 0, forwarded BIGINT NOT NULL DEFAULT 0, direct BIGINT NOT NULL DEFAULT 0, returned BIGINT NOT NULL DEFAULT 0,
    extended BIGINT NOT NULL DEFAULT 0, rated BIGINT NOT NULL DEFAULT 0, rating_sum BIGINT NOT NULL DEFAULT 0, fr_n BIGINT NOT NULL DEFAULT 0,
    fr_sum BIGINT NOT NULL DEFAULT 0, h_sum BIGINT NOT NULL DEFAULT 0, h1 BIGINT NOT NULL DEFAULT 0, h5 BIGINT NOT NULL DEFAULT 0,
    h24 BIGINT NOT NULL DEFAULT 0, h72 BIGINT NOT NULL DEFAULT 0, hmore BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (fdim, fval, day, dim, val)
);
-- Two or more filters at once read report_days; these let such a read
-- start from its channel, category or ward instead of every day's rows.
CREATE INDEX report_days_channel ON report_days(channel, day);
CREATE INDEX report_days_category ON report_days(category_id, day);
CREATE INDEX report_days_area ON report_days(area_code, day);
