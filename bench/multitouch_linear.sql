-- bench/multitouch_linear.sql - the bare-SQL peer of Origen's multi-touch
-- attribution (docs/PERFORMANCE.md, "Multi-touch"), what a DBA would write
-- for the linear model over the demo's report month (October 2026 in
-- Europe/Berlin, as-of 2026-11-20) in schema bench - the earliest
-- registration per user, users who bought before registering left out,
-- the first purchase of amount > 0 within 30 days and up to as-of, and
-- each converting user's touchpoints in the 30 days before it, one
-- conversion shared equally among them.
WITH reg AS (
  SELECT user_id, MIN(registered_at) AS reg_at
  FROM bench.registrations
  WHERE user_id IS NOT NULL AND registered_at <= TIMESTAMPTZ '2026-11-20 00:00:00+00'
  GROUP BY user_id
),
cohort AS (
  SELECT r.user_id, r.reg_at,
         (SELECT MIN(p.purchased_at) FROM bench.purchases p
          WHERE p.user_id = r.user_id AND p.amount > 0 AND p.purchased_at >= r.reg_at
            AND p.purchased_at <= TIMESTAMPTZ '2026-11-20 00:00:00+00') AS first_at
  FROM reg r
  WHERE r.reg_at >= TIMESTAMPTZ '2026-10-01 00:00:00+02' AND r.reg_at < TIMESTAMPTZ '2026-11-01 00:00:00+01'
    AND NOT EXISTS (SELECT 1 FROM bench.purchases p
                    WHERE p.user_id = r.user_id AND p.amount > 0 AND p.purchased_at < r.reg_at)
),
conv AS (
  SELECT user_id, first_at FROM cohort WHERE first_at < reg_at + INTERVAL '30 days'
),
touch AS (
  SELECT t.channel, COUNT(*) OVER (PARTITION BY c.user_id) AS n
  FROM conv c
  JOIN bench.touchpoints t ON t.user_id = c.user_id
   AND t.occurred_at <= c.first_at AND t.occurred_at >= c.first_at - INTERVAL '30 days'
)
SELECT channel, SUM(1.0 / n) AS linear
FROM touch
GROUP BY channel
ORDER BY channel
