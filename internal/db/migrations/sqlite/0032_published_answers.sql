-- /answers at ten million tickets: the published answers walked newest
-- first (a page, a page deep, a month, words), and by category and by
-- ward, each in id order, so a page reads about a page of rows instead of
-- every published answer and a sort.
CREATE INDEX IF NOT EXISTS tickets_published_id ON tickets (id) WHERE published_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS tickets_published_category ON tickets (category_id, id) WHERE published_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS tickets_published_area ON tickets (area_code, id) WHERE published_at IS NOT NULL;
