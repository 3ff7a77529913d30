-- purchases_quality - source-wide counts of the purchases mapping, over the stored values
-- (qualitySQL), one statement per report.
WITH origen_pur AS (
{{.PurchasesQ}}
)
SELECT COUNT(*) AS total_rows,
       COALESCE(SUM(CASE WHEN user_id IS NULL THEN 1 ELSE 0 END), 0) AS no_user,
       COALESCE(SUM(CASE WHEN purchased_at IS NULL AND purchased_at_present = 1 THEN 1 ELSE 0 END), 0) AS bad_time,
       COALESCE(SUM(CASE WHEN purchased_at_present = 0 THEN 1 ELSE 0 END), 0) AS no_time,
       COALESCE(SUM(CASE WHEN amount IS NULL THEN 1 ELSE 0 END), 0) AS no_amount,
       COALESCE(SUM(CASE WHEN user_id IS NULL OR purchased_at IS NULL OR amount IS NULL THEN 1 ELSE 0 END), 0) AS ignored,
       COALESCE(SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END), 0) AS refunds,
       COALESCE(SUM(CASE WHEN amount = 0 THEN 1 ELSE 0 END), 0) AS zero_amount,
       COALESCE(SUM(CASE WHEN purchased_at > :pur_as_of THEN 1 ELSE 0 END), 0) AS after_as_of
FROM origen_pur
