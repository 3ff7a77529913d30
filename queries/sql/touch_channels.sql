-- touch_channels - the distinct raw channel labels of the touchpoints that
-- a path of the report may hold (occurred_at from from_us, the period's
-- start less the lookback, to as_of), which Origen names before paths.sql
-- aggregates the paths by name (docs/MULTITOUCH.md, "Memory"). One row per
-- label, whatever the number of touchpoints. The filters on the stored
-- occurred_at (occurred_at_f, bounds of its type) come first, so that the
-- scan computes the microseconds only for the touchpoints in range.
SELECT DISTINCT COALESCE(t.channel, '') AS channel
FROM (
{{.Touchpoints}}
) AS t
WHERE t.occurred_at_f >= :touch_from_raw AND t.occurred_at_f <= :touch_as_of_raw
  AND t.occurred_at >= :from_us AND t.occurred_at <= :as_of
