-- cohorts - the report period's registrations, one per user, existing
-- customers left out, per raw channel label and local registration date
-- (METRICS-COHORTS.md, "Cohorts") - registrations, window customers, first
-- purchases within 7, 14, 30 and 60 days, window revenue and immature
-- registrations. day is the local date as days since 1970-01-01, computed
-- by the generated LocalDay expression from the zone's UTC offsets, so this
-- text is the same for every dialect.
-- origen_pur is MATERIALIZED on SQLite ({{.Materialized}}) so that SQLite
-- builds an automatic index on user_id for the join (35 times faster on
-- 25,000 registrations); PostgreSQL plans the join better without the fence.
WITH origen_reg AS (
{{.Registrations}}
),
origen_pur AS {{.Materialized}}(
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
  SELECT c.registered_at, c.channel,
         MAX(CASE WHEN p.amount > 0 AND p.purchased_at < c.registered_at THEN 1 ELSE 0 END) AS existing,
         MIN(CASE WHEN p.amount > 0 AND p.purchased_at >= c.registered_at THEN p.purchased_at END) AS first_at,
         SUM(CASE WHEN p.purchased_at >= c.registered_at AND p.purchased_at < c.registered_at + :window_us
                  THEN p.amount ELSE 0 END) AS revenue
  FROM cohort c
  LEFT JOIN origen_pur p
    ON p.user_id = c.user_id
   AND p.purchased_at IS NOT NULL
   AND p.amount IS NOT NULL
   AND p.purchased_at <= :as_of
   AND p.purchased_at < c.registered_at + :follow_us
  GROUP BY c.user_id, c.registered_at, c.channel
),
classified AS (
  SELECT channel, {{.LocalDay}} AS day, COALESCE(revenue, 0) AS revenue,
         CASE WHEN first_at < registered_at + :window_us THEN 1 ELSE 0 END AS customer,
         CASE WHEN first_at < registered_at + :by1_us THEN 1 ELSE 0 END AS by1,
         CASE WHEN first_at < registered_at + :by2_us THEN 1 ELSE 0 END AS by2,
         CASE WHEN first_at < registered_at + :by3_us THEN 1 ELSE 0 END AS by3,
         CASE WHEN first_at < registered_at + :by4_us THEN 1 ELSE 0 END AS by4,
         CASE WHEN registered_at + :window_us > :as_of THEN 1 ELSE 0 END AS immature
  FROM per_user
  WHERE existing = 0
)
SELECT channel, day,
       COUNT(*) AS registrations,
       SUM(customer) AS customers,
       SUM(by1) AS by1, SUM(by2) AS by2, SUM(by3) AS by3, SUM(by4) AS by4,
       SUM(revenue) AS revenue,
       SUM(immature) AS immature
FROM classified
GROUP BY channel, day
