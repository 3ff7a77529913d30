-- detail on ClickHouse - the period's cohort one registration at a time,
-- in registration order, as sql/detail.sql (read its comment), from the
-- same per-user facts as facts.sql.
SELECT CAST(uid AS Nullable(String)) AS out_user, reg_us, channel,
       if(has_first, CAST(first_at AS Nullable(Int64)), CAST(NULL AS Nullable(Int64))) AS out_first,
       revenue, toInt64(reg_us + :window_us > :as_of) AS immature
FROM (
-- include first_registrations
)
WHERE existing = 0
ORDER BY reg_us, out_user
