-- budget_weeks on ClickHouse - the weekly outcome of the budget plan, as
-- sql/budget_weeks.sql (read its comment), from the same per-user facts
-- as facts.sql. The week is the Monday of the local day d - d - ((d + 3)
-- mod 7), with the modulo kept non-negative.
SELECT channel, d - ((d + 3) % 7 + 7) % 7 AS week_day,
       toInt64(if(NOT has_first AND reg_us + :window_us > :as_of, intDiv(:as_of - reg_us, 86400000000), -1)) AS open_day,
       toInt64(count()) AS registrations,
       toInt64(countIf(has_first AND first_at < reg_us + :window_us)) AS customers,
       sum(revenue) AS out_revenue
FROM (
  SELECT *, toInt64(floor({{.LocalDay}})) AS d
  FROM (
-- include first_registrations
  )
  WHERE reg_us >= :range_start AND reg_us < :range_end AND existing = 0
)
GROUP BY channel, week_day, open_day
