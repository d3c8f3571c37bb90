-- The counters a mall puts an officer at (none: any counter of their
-- agency). A placement belongs to its user (deleted with them) and is
-- taken away with the officer's role. Rules: mpp_domain::staff and
-- Access::can_work_counter; routes and SQL: crates/mpp/src/staff/.
CREATE TABLE staff_counters (
    mall_id TEXT NOT NULL REFERENCES malls (id),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    counter_id TEXT NOT NULL,
    PRIMARY KEY (mall_id, user_id, counter_id)
);
CREATE INDEX staff_counters_by_user ON staff_counters (user_id);
