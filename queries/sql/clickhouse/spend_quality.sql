-- spend_quality on ClickHouse - source-wide counts of the spend mapping
-- over the normalised values (as sql/spend_quality.sql).
SELECT toInt64(count()) AS total_rows,
       toInt64(countIf(isNull(day) AND day_present = 1)) AS bad_day,
       toInt64(countIf(day_present = 0)) AS no_day,
       toInt64(countIf(isNull(amount))) AS no_amount
FROM (
{{.SpendQ}}
)
