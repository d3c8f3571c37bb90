-- Ticket numbers are no longer taken from a row per prefix and day (every
-- issuing transaction queued on its lock); the unique key
-- (mall_id, day, prefix, seq) keeps numbers apart (visit/numbers.rs).
DROP TABLE ticket_numbers;

-- A ticket's status changes several times in a visit, and every change
-- writes an entry into each index that covers the new row. Partial
-- indexes take only the rows their queries look for, so a done ticket
-- stops costing the line's reads (docs/PERFORMANCE.md). Queries name the
-- status as a literal, so that both databases see the index applies.
DROP INDEX tickets_queue;
CREATE INDEX tickets_waiting ON tickets (mall_id, day, service_id, queued_at, seq) WHERE status = 'waiting';

DROP INDEX tickets_at_counter;
CREATE INDEX tickets_at_counter ON tickets (mall_id, counter_id) WHERE status IN ('called', 'serving');
CREATE INDEX tickets_held ON tickets (mall_id, counter_id) WHERE status = 'held';

-- The daily reset closes what an earlier day left open.
CREATE INDEX tickets_open ON tickets (mall_id, day) WHERE status IN ('waiting', 'called', 'serving', 'held');
