-- spend on ClickHouse - spend per raw channel label, date over
-- [from_day, to_day) and campaign, as sql/spend.sql (read its comment).
-- A sum beyond a 64-bit integer stops the statement (throwIf). The
-- output names differ from the columns' (ClickHouse's aliases are global).
SELECT s.channel AS out_channel, assumeNotNull(s.day) AS out_day, s.campaign AS out_campaign,
       sum(assumeNotNull(s.amount)) AS out_amount,
       toInt64(count()) AS spend_rows,
       toInt64(countIf(s.amount < 0)) AS negative_rows
FROM {{.SpendKeyed}} AS s
WHERE isNotNull(s.day) AND s.day >= :from_day AND s.day < :to_day
  AND isNotNull(s.amount)
GROUP BY out_channel, out_day, out_campaign
HAVING throwIf(abs(sum(toFloat64(assumeNotNull(s.amount)))) > 9.2e18) = 0
