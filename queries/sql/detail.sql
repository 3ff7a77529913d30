-- detail - the period's cohort one registration at a time, in registration
-- order, for the workbook's Registrations sheet. These are the CTEs of cohort.sql
-- without its grouping, so the rows add up to cohort's aggregates
-- (METRICS.md, "Cohort" and "Conversion"). Existing customers are left out,
-- as from the cohort. Times are integer microseconds since the epoch and
-- amounts integer 1/10000 units.
WITH origen_reg AS (
{{.Registrations}}
),
origen_pur AS (
{{.Purchases}}
),
ranked AS (
  SELECT user_id, registered_at, channel,
         ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY registered_at, channel) AS rn
  FROM origen_reg
  WHERE user_id IS NOT NULL AND registered_at IS NOT NULL AND registered_at <= :as_of
),
cohort AS (
  SELECT user_id, registered_at, channel
  FROM ranked
  WHERE rn = 1 AND registered_at >= :period_start AND registered_at < :period_end
),
per_user AS (
  SELECT c.user_id, c.registered_at, c.channel,
         MAX(CASE WHEN p.amount > 0 AND p.purchased_at < c.registered_at THEN 1 ELSE 0 END) AS existing,
         MIN(CASE WHEN p.amount > 0 AND p.purchased_at >= c.registered_at THEN p.purchased_at END) AS first_at,
         SUM(CASE WHEN p.purchased_at >= c.registered_at THEN p.amount ELSE 0 END) AS revenue
  FROM cohort c
  LEFT JOIN origen_pur p
    ON p.user_id = c.user_id
   AND p.purchased_at IS NOT NULL
   AND p.amount IS NOT NULL
   AND p.purchased_at <= :as_of
   AND p.purchased_at < c.registered_at + :window_us
  GROUP BY c.user_id, c.registered_at, c.channel
)
SELECT user_id, registered_at, channel, first_at,
       COALESCE(revenue, 0) AS revenue,
       CASE WHEN registered_at + :window_us > :as_of THEN 1 ELSE 0 END AS immature
FROM per_user
WHERE existing = 0
ORDER BY registered_at, user_id
