-- Indexes for the queue's hot statements, found by profiling the visit
-- bench (docs/PERFORMANCE.md).

-- "Who is at this counter now?" (before every call, and on the console)
-- read every ticket the mall ever issued without it.
CREATE INDEX tickets_at_counter ON tickets (mall_id, counter_id, status);

-- The line's order is (queued_at, seq): with seq in the index the head of a
-- line is read in order, without sorting everyone who arrived at the same
-- millisecond.
DROP INDEX tickets_queue;
CREATE INDEX tickets_queue ON tickets (mall_id, day, status, service_id, queued_at, seq);
