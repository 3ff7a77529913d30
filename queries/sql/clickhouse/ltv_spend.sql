-- ltv_spend on ClickHouse - the spend of the lifetime-value cohorts'
-- months per raw channel label and cohort month, the same rows and
-- columns as sql/ltv_spend.sql (read its comment) - spend.sql's filters,
-- each day's cohort the first day of its local month (SpendCohortOf). A
-- sum beyond a 64-bit integer stops the statement (throwIf). The output
-- names differ from the columns' (ClickHouse's aliases are global).
SELECT d.channel AS out_channel, toInt64({{.SpendCohortOf}}) AS cohort,
       sum(assumeNotNull(d.amount)) AS out_amount,
       toInt64(count()) AS spend_rows,
       toInt64(countIf(d.amount < 0)) AS negative_rows,
       toInt64(minIf(assumeNotNull(d.day), d.amount < 0)) AS first_negative
FROM {{.SpendKeyed}} AS d
WHERE isNotNull(d.day) AND d.day >= :from_day AND d.day < :to_day
  AND isNotNull(d.amount)
GROUP BY out_channel, cohort
HAVING throwIf(abs(sum(toFloat64(assumeNotNull(d.amount)))) > 9.2e18) = 0
