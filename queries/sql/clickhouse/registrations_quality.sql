-- registrations_quality on ClickHouse - source-wide counts of the
-- registrations mapping over the normalised values (as sql/registrations_quality.sql).
SELECT toInt64(count()) AS total_rows,
       toInt64(countIf(isNull(user_id))) AS no_user,
       toInt64(countIf(isNull(registered_at) AND registered_at_present = 1)) AS bad_time,
       toInt64(countIf(registered_at_present = 0)) AS no_time,
       toInt64(countIf(isNull(channel))) AS no_channel,
       toInt64(countIf(ifNull(registered_at > :reg_as_of, 0))) AS after_as_of
FROM (
{{.RegistrationsQ}}
)
