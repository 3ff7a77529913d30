-- cohort - the period's registrations, one per user, aggregated by raw channel
-- label, existing-customer flag, conversion day and maturity (METRICS.md,
-- "Cohort" and "Conversion"). Times are integer microseconds since the epoch
-- and amounts integer 1/10000 units, so this text is the same for every dialect
-- but for {{.Materialized}}, a fence only SQLite needs (see read.go).
WITH origen_reg AS (
{{.Registrations}}
),
origen_pur AS {{.Materialized}}(
{{.Purchases}}
),
ranked AS (
  SELECT user_id, registered_at, channel,
         ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY registered_at, channel) AS rn,
         COUNT(*) OVER (PARTITION BY user_id) AS n
  FROM origen_reg
  WHERE user_id IS NOT NULL AND registered_at IS NOT NULL AND registered_at <= :as_of
),
cohort AS (
  SELECT user_id, registered_at, channel, n - 1 AS duplicates
  FROM ranked
  WHERE rn = 1 AND registered_at >= :period_start AND registered_at < :period_end
),
per_user AS (
  SELECT c.user_id, c.registered_at, c.channel, c.duplicates,
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
  GROUP BY c.user_id, c.registered_at, c.channel, c.duplicates
),
classified AS (
  SELECT channel, existing, duplicates, revenue,
         CASE WHEN first_at IS NULL THEN -1 ELSE (first_at - registered_at) / 86400000000 END AS days,
         CASE WHEN registered_at + :window_us > :as_of THEN 1 ELSE 0 END AS immature
  FROM per_user
)
SELECT channel, existing, days, immature,
       COUNT(*) AS registrations,
       SUM(duplicates) AS duplicates,
       SUM(COALESCE(revenue, 0)) AS revenue
FROM classified
GROUP BY channel, existing, days, immature
