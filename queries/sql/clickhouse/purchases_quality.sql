-- purchases_quality on ClickHouse - source-wide counts of the purchases
-- mapping over the normalised values (as sql/purchases_quality.sql).
SELECT toInt64(count()) AS total_rows,
       toInt64(countIf(isNull(user_id))) AS no_user,
       toInt64(countIf(isNull(purchased_at) AND purchased_at_present = 1)) AS bad_time,
       toInt64(countIf(purchased_at_present = 0)) AS no_time,
       toInt64(countIf(isNull(amount))) AS no_amount,
       toInt64(countIf(isNull(user_id) OR isNull(purchased_at) OR isNull(amount))) AS ignored,
       toInt64(countIf(ifNull(amount < 0, 0))) AS refunds,
       toInt64(countIf(ifNull(amount = 0, 0))) AS zero_amount,
       toInt64(countIf(ifNull(purchased_at > :pur_as_of, 0))) AS after_as_of
FROM (
{{.PurchasesQ}}
)
