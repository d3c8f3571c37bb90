-- Calling the next visitor reads everyone waiting in a special lane
-- (priority, quick, an appointment's window) and the head of each
-- service's regular line. Without this index the special lane was found by
-- reading the whole line, so every call cost more as the line grew
-- (docs/PERFORMANCE.md). The regular heads use `tickets_queue`.
CREATE INDEX tickets_special_lane ON tickets (mall_id, day, service_id, queued_at, seq)
    WHERE status = 'waiting' AND (priority <> 'none' OR quick = 1 OR window_to IS NOT NULL);
