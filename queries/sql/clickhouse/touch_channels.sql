-- touch_channels on ClickHouse - the distinct raw channel labels of the
-- touchpoints a path of the report may hold, as sql/touch_channels.sql
-- (read its comment). One row per label.
SELECT DISTINCT ifNull(t.channel, '') AS out_channel
FROM (
{{.Touchpoints}}
) AS t
WHERE isNotNull(t.occurred_at) AND t.occurred_at >= :from_us AND t.occurred_at <= :as_of
