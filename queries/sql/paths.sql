-- paths - the multi-touch paths of the period's cohort (docs/MULTITOUCH.md,
-- "Paths"), aggregated twice in the database so that Origen receives
-- distinct paths, never touchpoint rows, and reads them as a stream.
-- origen_conv - the cohort of first_registrations (existing customers left
-- out) with whether it converted (the first purchase inside the window,
-- or the registration itself when by_registration = 1) and where its path
-- ends - the conversion, else the end of the window or as_of, whichever
-- is earlier.
-- origen_labels - the channel of each raw touch label (the labels
-- parameter in origen_labels_in, a JSON object raw -> channel that Origen
-- names from touch_channels); a raw label missing from it keeps its text.
-- origen_touch - the user's touchpoints in [end - lookback, end], none
-- after as_of, with their channel. A path ends at or after its
-- registration, so its touches are from the period's start less the
-- lookback; the filters on the stored occurred_at (occurred_at_f, bounds
-- of its type) say so, so that the scan skips the older touchpoints
-- without computing their microseconds.
-- origen_user_path - per user, the touches' channels in time order (ties
-- by raw label, byte order) and the whole days from each touch to the end.
-- origen_paths - per distinct path of channels (or, for a user without
-- touch, the registration's raw channel) and timing the conversions,
-- non-conversions and window revenue; the timings only for paths with a
-- conversion or revenue, which the time decay model weighs.
-- origen_rows - each row with its path's totals over its timings, and
-- path_row = 1 on one row of each path.
-- origen_split - the touches of each distinct touched path, one row per
-- touch (a recursive split of the path, over distinct paths only; the
-- seed's empty label has the path's type, which MySQL keeps for the
-- recursive rows).
-- The result, in parts - 0 the touches (users x occurrences) of each
-- channel over the touched paths, 1 the users without touch, 2 the touched
-- paths, most followed first within a part.
WITH RECURSIVE
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
origen_labels_in AS (
  SELECT CAST(:labels AS {{.JSONType}}) AS j
),
origen_labels AS (
  {{.LabelRows}}
),
origen_touch AS (
  SELECT c.user_id, COALESCE(l.label, t.channel, '') AS label, COALESCE(t.channel, '') AS channel, t.occurred_at, c.end_us
  FROM origen_conv c
  JOIN origen_tp t ON t.user_id = c.user_id
  LEFT JOIN origen_labels l ON l.raw = COALESCE(t.channel, '')
  WHERE t.occurred_at_f >= :touch_from_raw AND t.occurred_at_f <= :touch_as_of_raw
    AND t.occurred_at IS NOT NULL
    AND t.occurred_at <= c.end_us
    AND t.occurred_at >= c.end_us - :lookback_us
    AND t.occurred_at <= :as_of
),
origen_user_path AS (
  SELECT user_id,
         string_agg(label, {{.TouchSep}} ORDER BY occurred_at, channel{{.ByteOrder}}) AS path,
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
),
origen_rows AS (
  SELECT touched, path, reg_channel, reg_valid, days, conversions, non_conversions, revenue,
         SUM(conversions + non_conversions) OVER (PARTITION BY touched, path, reg_channel, reg_valid) AS path_users,
         SUM(conversions) OVER (PARTITION BY touched, path, reg_channel, reg_valid) AS path_conv,
         SUM(non_conversions) OVER (PARTITION BY touched, path, reg_channel, reg_valid) AS path_non,
         SUM(revenue) OVER (PARTITION BY touched, path, reg_channel, reg_valid) AS path_rev,
         ROW_NUMBER() OVER (PARTITION BY touched, path, reg_channel, reg_valid ORDER BY COALESCE(days, ''){{.ByteOrder}}) AS path_row
  FROM origen_paths
),
origen_split (users, seed, label, rest) AS (
  SELECT path_users, 1, substr(path, length(path) + 1), path || {{.TouchSep}}
  FROM origen_rows
  WHERE touched = 1 AND path_row = 1
  UNION ALL
  SELECT users, 0, substr(rest, 1, {{.Instr}}(rest, {{.TouchSep}}) - 1), substr(rest, {{.Instr}}(rest, {{.TouchSep}}) + 1)
  FROM origen_split
  WHERE rest <> ''
)
SELECT part, touched, path, reg_channel, reg_valid, days, conversions, non_conversions, revenue,
       path_users, path_conv, path_non, path_rev, path_row
FROM (
  SELECT 0 AS part, 1 AS touched, label AS path, CAST(NULL AS {{.Text}}) AS reg_channel, 0 AS reg_valid,
         CAST(NULL AS {{.Text}}) AS days, SUM(users) AS conversions, 0 AS non_conversions, 0 AS revenue,
         SUM(users) AS path_users, 0 AS path_conv, 0 AS path_non, 0 AS path_rev, 1 AS path_row
  FROM origen_split
  WHERE seed = 0
  GROUP BY label
  UNION ALL
  SELECT 1 + touched, touched, path, reg_channel, reg_valid, days, conversions, non_conversions, revenue,
         path_users, path_conv, path_non, path_rev, path_row
  FROM origen_rows
) AS origen_result
ORDER BY part, path_users DESC, COALESCE(path, ''){{.ByteOrder}}, COALESCE(reg_channel, ''){{.ByteOrder}}, reg_valid, COALESCE(days, ''){{.ByteOrder}}
