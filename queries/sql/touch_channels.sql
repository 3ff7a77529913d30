-- touch_channels - the distinct raw channel labels of the touchpoints that
-- a path of the report may hold (occurred_at from from_us, the period's
-- start less the lookback, to as_of), which Origen names before paths.sql
-- aggregates the paths by name (docs/MULTITOUCH.md, "Memory"). One row per
-- label, whatever the number of touchpoints.
SELECT DISTINCT COALESCE(t.channel, '') AS channel
FROM (
{{.Touchpoints}}
) AS t
WHERE t.occurred_at >= :from_us AND t.occurred_at <= :as_of
