-- headline_clickhouse.sql - the headline figures of one report period per
-- channel (as bench/headline.sql for PostgreSQL; the same definitions,
-- /work/shared/METRICS.md) as a ClickHouse user would write them by hand
-- over the tables of `origen fixtures load --driver clickhouse`: one
-- GROUP BY user_id over the user's registrations and purchases (18.16
-- cannot use a joined column inside a lambda, so no JOIN), each user's
-- earliest registration with argMinIf, the purchases as one array, then a
-- GROUP BY channel. It reads the Distributed tables. The bare aggregate Origen's one pass is measured against
-- (docs/SCALE.md); it computes only the headline figures, not Origen's
-- other parts, ties rule or data-quality counts.
--
-- Parameters, written in by bench/clickhouse (ClickHouse 18.16's client
-- has no query parameters) -
--   DB           the database holding registrations, purchases and spend
--   FROM, TO     the period [FROM, TO), local dates (YYYY-MM-DD)
--   TZ           the business time zone (IANA), e.g. Europe/Berlin
--   AS_OF        the data cutoff, 'YYYY-MM-DD hh:mm:ss' UTC
--   WINDOW       the conversion window W in seconds (days × 86400)
SELECT ifNull(channel_label, '(none)') AS channel,
       count() AS registrations,
       countIf(arrayExists(p -> p.2 > 0 AND p.1 >= reg AND p.1 < reg + WINDOW, ps)) AS customers,
       sum(arraySum(p -> if(p.1 >= reg AND p.1 < reg + WINDOW, p.2, 0), ps)) / 100 AS revenue
FROM (
  SELECT user_id, minIf(at, kind = 0) AS reg, argMinIf(channel, at, kind = 0) AS first_channel,
         nullIf(replaceRegexpAll(ifNull(first_channel, ''), '^[ \t\n\x0B\f\r]+|[ \t\n\x0B\f\r]+$', ''), '') AS channel_label,
         groupArrayIf((at, cents), kind = 1) AS ps, countIf(kind = 0) AS registrations_of_user
  FROM (
    SELECT toUInt8(0) AS kind, user_id, registered_at AS at, channel, toInt64(0) AS cents
    FROM DB.registrations
    WHERE registered_at <= toDateTime('AS_OF', 'UTC')
    UNION ALL
    SELECT toUInt8(1), user_id, purchased_at, CAST(NULL AS Nullable(String)), toInt64(amount * 100)
    FROM DB.purchases
    WHERE purchased_at <= toDateTime('AS_OF', 'UTC')
  )
  GROUP BY user_id
  HAVING registrations_of_user > 0
     AND reg >= toDateTime('FROM 00:00:00', 'TZ') AND reg < toDateTime('TO 00:00:00', 'TZ')
)
WHERE reg > toDateTime(0) AND NOT arrayExists(p -> p.2 > 0 AND p.1 < reg, ps) -- reg outside a lambda too, or 18.16 prunes it
GROUP BY channel
ORDER BY channel
