-- paths - the multi-touch paths of the period's cohort (docs/MULTITOUCH.md,
-- "Paths"), aggregated twice in the database so that Origen receives
-- distinct paths, never touchpoint rows.
-- origen_conv - the cohort of first_registrations (existing customers left
-- out) with whether it converted (the first purchase inside the window,
-- or the registration itself when by_registration = 1) and where its path
-- ends - the conversion, else the end of the window or as_of, whichever
-- is earlier.
-- origen_touch - the user's touchpoints in [end - lookback, end], none
-- after as_of.
-- origen_user_path - per user, the touches' channels in time order (ties
-- by channel, byte order) and the whole days from each touch to the end.
-- The result - per distinct path (or, for a user without touch, the
-- registration's channel) the conversions, non-conversions and window
-- revenue; the timings only for paths with a conversion or revenue, which
-- the time decay model weighs. Most followed paths first.
WITH
-- include first_registrations
, origen_conv AS {{.Materialized}}(
  SELECT f.user_id, f.channel, f.revenue, f.converted,
         CASE WHEN f.converted = 1 AND :by_registration = 1 THEN f.reg_us
              WHEN f.converted = 1 THEN f.first_at
              WHEN f.reg_us + :window_us < :as_of THEN f.reg_us + :window_us
              ELSE :as_of END AS end_us
  FROM (
    SELECT {{.ConvUID}} AS user_id, channel, revenue, reg_us, first_at,
           CASE WHEN :by_registration = 1 OR (first_at IS NOT NULL AND first_at < reg_us + :window_us) THEN 1 ELSE 0 END AS converted
    FROM origen_facts
    WHERE existing < 1
  ) AS f
),
origen_tp AS {{.Materialized}}(
{{.Touchpoints}}
),
origen_touch AS (
  SELECT c.user_id, COALESCE(t.channel, '') AS channel, t.occurred_at, c.end_us
  FROM origen_conv c
  JOIN origen_tp t ON t.user_id = c.user_id
  WHERE t.occurred_at IS NOT NULL
    AND t.occurred_at <= c.end_us
    AND t.occurred_at >= c.end_us - :lookback_us
    AND t.occurred_at <= :as_of
),
origen_user_path AS (
  SELECT user_id,
         string_agg(channel, {{.TouchSep}} ORDER BY occurred_at, channel{{.ByteOrder}}) AS path,
         string_agg(CAST((end_us - occurred_at) / 86400000000 AS {{.Text}}), ',' ORDER BY occurred_at, channel{{.ByteOrder}}) AS days
  FROM origen_touch
  GROUP BY user_id
),
origen_paths AS (
  SELECT CASE WHEN p.path IS NULL THEN 0 ELSE 1 END AS touched,
         p.path,
         CASE WHEN p.path IS NULL THEN c.channel END AS reg_channel,
         CASE WHEN p.path IS NULL AND c.channel IS NOT NULL THEN 1 ELSE 0 END AS reg_valid,
         CASE WHEN p.path IS NOT NULL AND (c.converted = 1 OR c.revenue <> 0) THEN p.days END AS days,
         SUM(c.converted) AS conversions,
         SUM(1 - c.converted) AS non_conversions,
         SUM(c.revenue) AS revenue
  FROM origen_conv c
  LEFT JOIN origen_user_path p ON p.user_id = c.user_id
  GROUP BY 1, 2, 3, 4, 5
)
SELECT touched, path, reg_channel, reg_valid, days, conversions, non_conversions, revenue,
       SUM(conversions + non_conversions) OVER (PARTITION BY touched, path, reg_channel, reg_valid) AS path_users
FROM origen_paths
ORDER BY path_users DESC, touched, COALESCE(path, ''){{.ByteOrder}}, COALESCE(reg_channel, ''){{.ByteOrder}}, reg_valid, COALESCE(days, ''){{.ByteOrder}}
