-- prospect_events - the prospects at as_of (exactly as prospects.sql) with
-- their activity from [events] (METRICS-COHORTS.md, "Event model") -
-- events in (recent_start, as_of], events from registering up to as_of,
-- the last event up to as_of (events after as_of are never read), and
-- whether they made a first purchase in (as_of, outcome_end] inside the
-- window (always 0 when outcome_end = as_of). Aggregates per user only.
WITH
-- include first_registrations
, origen_ev AS {{.Materialized}}(
{{.Events}}
),
open_reg AS {{.Materialized}}(
  SELECT uid, {{.UserIDText}} AS user_id, channel, campaign, reg_us
  FROM origen_facts
  WHERE existing < 1 AND first_at IS NULL
),
activity AS (
  SELECT o.user_id,
         SUM(CASE WHEN e.occurred_at > :recent_start THEN 1 ELSE 0 END) AS n_recent,
         COUNT(*) AS n_total,
         MAX(e.occurred_at) AS last_at
  FROM open_reg o
  JOIN origen_ev e ON e.user_id = o.user_id
  WHERE e.occurred_at IS NOT NULL
    AND e.occurred_at >= o.reg_us
    AND e.occurred_at <= :as_of
  GROUP BY o.user_id
)
SELECT o.user_id, o.channel, o.campaign, o.reg_us,
       COALESCE(a.n_recent, 0) AS n_recent, COALESCE(a.n_total, 0) AS n_total, a.last_at,
       CASE WHEN EXISTS (
         SELECT 1 FROM {{.PurchasesKeyed}} AS p
         WHERE p.uid = o.uid
           AND p.amount > 0
           AND p.purchased_at_f <= :pur_outcome_end_raw
           AND p.pur_us > :as_of
           AND p.pur_us <= :outcome_end
           AND p.pur_us < o.reg_us + :window_us
       ) THEN 1 ELSE 0 END AS converted
FROM open_reg o
LEFT JOIN activity a ON a.user_id = o.user_id
