-- curves - Kaplan–Meier inputs per raw channel and campaign label and per
-- day d = 0..W (METRICS-COHORTS.md, "Conversion curves") - the curve
-- population's registrations that converted on day d (an event) or were
-- censored at d (followed through days 0..d-1 only), and, for projections,
-- prospect scores and their backtest, the open registrations d days old
-- (immature, not converted by as_of) and how many of those made a first
-- purchase in (as_of, outcome_end]. Times are integer microseconds, so this
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
  SELECT user_id, registered_at, channel, campaign,
         ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY registered_at, channel, campaign) AS rn
  FROM origen_reg
  WHERE user_id IS NOT NULL AND registered_at IS NOT NULL AND registered_at <= :as_of
),
population AS (
  SELECT user_id, registered_at, channel, campaign
  FROM ranked
  WHERE rn = 1 AND registered_at >= :curve_start AND registered_at < :curve_end
),
per_user AS (
  SELECT c.registered_at, c.channel, c.campaign,
         MAX(CASE WHEN p.amount > 0 AND p.purchased_at < c.registered_at THEN 1 ELSE 0 END) AS existing,
         MIN(CASE WHEN p.amount > 0 AND p.purchased_at >= c.registered_at AND p.purchased_at <= :as_of THEN p.purchased_at END) AS first_at,
         MIN(CASE WHEN p.amount > 0 AND p.purchased_at > :as_of THEN p.purchased_at END) AS next_at
  FROM population c
  LEFT JOIN origen_pur p
    ON p.user_id = c.user_id
   AND p.purchased_at IS NOT NULL
   AND p.amount IS NOT NULL
   AND p.purchased_at <= :outcome_end
   AND p.purchased_at < c.registered_at + :window_us
  GROUP BY c.user_id, c.registered_at, c.channel, c.campaign
),
followed AS (
  SELECT channel, campaign, registered_at, first_at, next_at,
         (first_at - registered_at) / 86400000000 AS conv_day,
         CASE WHEN :as_of - registered_at >= :window_us THEN :window_days
              ELSE (:as_of - registered_at) / 86400000000 END AS followed_days
  FROM per_user
  WHERE existing = 0
),
classified AS (
  SELECT channel, campaign,
         CASE WHEN conv_day < followed_days THEN 1 ELSE 0 END AS converted,
         CASE WHEN conv_day < followed_days THEN conv_day ELSE followed_days END AS day,
         CASE WHEN first_at IS NULL AND followed_days < :window_days
                   AND registered_at >= :open_start AND registered_at < :open_end THEN 1 ELSE 0 END AS open,
         CASE WHEN first_at IS NULL AND followed_days < :window_days
                   AND registered_at >= :open_start AND registered_at < :open_end
                   AND next_at IS NOT NULL THEN 1 ELSE 0 END AS open_next
  FROM followed
)
SELECT channel, campaign, day,
       SUM(converted) AS converted,
       COUNT(*) - SUM(converted) AS censored,
       SUM(open) AS open,
       SUM(open_next) AS open_next
FROM classified
GROUP BY channel, campaign, day
