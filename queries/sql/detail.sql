-- detail - the period's cohort one registration at a time, in registration
-- order, for the workbook's Registrations sheet - the per-user facts of
-- first_registrations over the period, which facts.sql aggregates, so the
-- rows add up to the report's cohort (METRICS.md, "Cohort" and
-- "Conversion"). Existing customers are left out, as from the cohort.
-- Times are integer microseconds since the epoch and amounts integer
-- 1/10000 units.
WITH
-- include first_registrations
SELECT {{.UserIDText}} AS user_id, reg_us, channel, first_at, revenue,
       CASE WHEN reg_us + :window_us > :as_of THEN 1 ELSE 0 END AS immature
FROM origen_facts
WHERE existing < 1
ORDER BY reg_us, 1
