-- How many bookings each citizen holds per service and day, counted the
-- way booking_counts counts a slot's places (a conditional UPDATE, so two
-- bookings at once cannot both pass), and the mall's limit (1 unless the
-- manager allows more). Rules: crates/mpp-domain/src/booking.rs; SQL:
-- crates/mpp/src/booking/store.rs.
CREATE TABLE booking_citizen_counts (
    mall_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    day TEXT NOT NULL,
    user_id TEXT NOT NULL,
    booked BIGINT NOT NULL,
    PRIMARY KEY (mall_id, service_id, day, user_id)
);
INSERT INTO booking_citizen_counts (mall_id, service_id, day, user_id, booked)
SELECT mall_id, service_id, day, user_id, COUNT(*) FROM appointments WHERE status = 'booked'
GROUP BY mall_id, service_id, day, user_id;

ALTER TABLE queue_settings ADD COLUMN bookings_per_citizen BIGINT NOT NULL DEFAULT 1;
