-- prospect_events - the prospects at as_of (exactly as prospects.sql - first
-- registration younger than W, no purchase of amount > 0 up to as_of) with
-- their activity from [events] (METRICS-COHORTS.md, "Event model") - events
-- in (recent_start, as_of], events from registering up to as_of, the last
-- event up to as_of - events after as_of are never read - and whether they
-- made a first purchase in (as_of, outcome_end] inside the window (always 0
-- when outcome_end = as_of). Aggregates per user only.
WITH origen_reg AS (
{{.Registrations}}
),
origen_pur AS {{.Materialized}}(
{{.Purchases}}
),
origen_ev AS {{.Materialized}}(
{{.Events}}
),
ranked AS (
  SELECT user_id, registered_at, channel, campaign,
         ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY registered_at, channel, campaign) AS rn
  FROM origen_reg
  WHERE user_id IS NOT NULL AND registered_at IS NOT NULL AND registered_at <= :as_of
),
open_reg AS {{.Materialized}}(
  SELECT r.user_id, r.channel, r.campaign, r.registered_at
  FROM ranked r
  WHERE r.rn = 1
    AND r.registered_at + :window_us > :as_of
    AND NOT EXISTS (
      SELECT 1 FROM origen_pur p
      WHERE p.user_id = r.user_id
        AND p.amount > 0
        AND p.purchased_at IS NOT NULL
        AND p.purchased_at <= :as_of
    )
),
activity AS (
  SELECT o.user_id,
         SUM(CASE WHEN e.occurred_at > :recent_start THEN 1 ELSE 0 END) AS n_recent,
         COUNT(*) AS n_total,
         MAX(e.occurred_at) AS last_at
  FROM open_reg o
  JOIN origen_ev e ON e.user_id = o.user_id
  WHERE e.occurred_at IS NOT NULL
    AND e.occurred_at >= o.registered_at
    AND e.occurred_at <= :as_of
  GROUP BY o.user_id
)
SELECT o.user_id, o.channel, o.campaign, o.registered_at,
       COALESCE(a.n_recent, 0) AS n_recent, COALESCE(a.n_total, 0) AS n_total, a.last_at,
       CASE WHEN EXISTS (
         SELECT 1 FROM origen_pur p
         WHERE p.user_id = o.user_id
           AND p.amount > 0
           AND p.purchased_at IS NOT NULL
           AND p.purchased_at > :as_of
           AND p.purchased_at <= :outcome_end
           AND p.purchased_at < o.registered_at + :window_us
       ) THEN 1 ELSE 0 END AS converted
FROM open_reg o
LEFT JOIN activity a ON a.user_id = o.user_id
