-- spend - spend per raw channel label, date over [from_day, to_day) and
-- campaign (NULL without a campaign column; METRICS.md, "Money"), from
-- which the report sums its periods, the cohorts' and trend's CAC and the
-- campaigns' spend. day is the date as days since 1970-01-01. The
-- first filters compare the source's own date column with bound
-- parameters of its type, a day wider on each side than the range (a
-- timestamp's local date may differ from its UTC date), so an index on it
-- serves the range; the exact range follows on the normalised day.
-- origen_sd is materialized on SQLite so that the normalised day is
-- computed once per row (inlined, SQLite computes it at every use - the
-- filter and the GROUP BY), as in ltv_spend.
WITH origen_sd AS {{.Materialized}}(
  SELECT s.channel, s.day, s.campaign, s.amount
  FROM {{.SpendKeyed}} AS s
  WHERE s.date_f >= :from_raw AND s.date_f < :to_raw
    AND s.amount IS NOT NULL
)
SELECT d.channel, d.day, d.campaign,
       SUM(d.amount) AS amount,
       COUNT(*) AS spend_rows,
       SUM(CASE WHEN d.amount < 0 THEN 1 ELSE 0 END) AS negative_rows
FROM origen_sd AS d
WHERE d.day >= :from_day AND d.day < :to_day
GROUP BY d.channel, d.day, d.campaign
