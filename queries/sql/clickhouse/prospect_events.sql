-- prospect_events on ClickHouse - the prospects at as_of with their
-- activity from [events], the same rows and columns as
-- sql/prospect_events.sql (read its comment), without joins or EXISTS -
-- one GROUP BY per user over a UNION ALL of the open registrations
-- (first_registrations, existing customers and converted users left
-- out), the user's events up to as_of, and its purchases of amount > 0
-- in (as_of, outcome_end]; then per user the events from registering (all,
-- the recent ones, the last) and whether a purchase of the outcome falls
-- inside the window.
SELECT user_id, tupleElement(o, 1) AS channel, tupleElement(o, 2) AS campaign, tupleElement(o, 3) AS reg_us,
       toInt64(arrayCount(e -> e >= reg_us AND e > :recent_start, evs)) AS n_recent,
       toInt64(arrayCount(e -> e >= reg_us, evs)) AS n_total,
       if(n_total > 0, CAST(arrayReduce('max', arrayFilter(e -> e >= reg_us, evs)) AS Nullable(Int64)), CAST(NULL AS Nullable(Int64))) AS last_at,
       toInt64(arrayExists(p -> p < reg_us + :window_us, outcome)) AS converted
FROM (
  SELECT user_id, groupArrayIf((channel, campaign, reg_us), kind = 0)[1] AS o,
         groupArrayIf(at_us, kind = 1) AS evs, groupArrayIf(at_us, kind = 2) AS outcome
  FROM (
    SELECT toUInt8(0) AS kind, toString(uid) AS user_id, channel, campaign, toInt64(reg_us) AS reg_us, toInt64(0) AS at_us
    FROM (
-- include first_registrations
    )
    WHERE existing < 1 AND NOT has_first
    UNION ALL
    SELECT toUInt8(1), assumeNotNull(ev.user_id), CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)), toInt64(0),
           toInt64(assumeNotNull(ev.occurred_at))
    FROM (
{{.Events}}
    ) AS ev
    WHERE isNotNull(ev.user_id) AND isNotNull(ev.occurred_at) AND ev.occurred_at <= :as_of
    UNION ALL
    SELECT toUInt8(2), toString(assumeNotNull(po.uid)), CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)), toInt64(0),
           toInt64(assumeNotNull(po.pur_us))
    FROM {{.PurchasesKeyed}} AS po
    WHERE isNotNull(po.uid) AND isNotNull(po.pur_us) AND po.amount > 0
      AND po.pur_us > :as_of AND po.pur_us <= :outcome_end
  )
  GROUP BY user_id
  HAVING countIf(kind = 0) > 0
)
WHERE isNotNull(o)
