package queries

import "strings"

// mysqlCandIn is first_registrations' origen_cand as the include writes
// it; mysqlCandOut is the same CTE in the form MariaDB runs well.
// TestMySQLFirstRegistrations fails when the include's text no longer
// matches, so that the rewrite cannot be skipped silently.
const mysqlCandIn = `origen_cand AS {{.Materialized}}(
  SELECT r.uid, r.registered_at_f, r.channel, r.campaign,
         {{.Duplicates}} AS duplicates,
         RANK() OVER {{.UserOrder}} AS tie_rank,
         MIN(r.source) AS source, MIN(r.medium) AS medium,
         MIN(r.dim1) AS dim1, MIN(r.dim2) AS dim2, MIN(r.dim3) AS dim3, MIN(r.dim4) AS dim4
  FROM {{.RegistrationsKeyed}} AS r
  WHERE r.uid IS NOT NULL
    AND r.registered_at_f >= :range_start_raw AND r.registered_at_f <= :range_last_raw
  GROUP BY r.uid, r.registered_at_f, r.channel_key, r.campaign_key, r.channel, r.campaign
),`

// mysqlCandOut splits the candidates by the user's number of
// registrations in the range. A user with one is one candidate of rank
// 1 with no other registration (duplicates 0), read from a GROUP BY of
// the user alone - no tie-rule keys, no window and no grouping on six
// columns, which cost MariaDB most of origen_cand. The users with more
// (a few per cent) take the include's own grouping and rank, over all
// their registrations of the range, so their candidates, ranks and
// duplicates are the include's. Measured in docs/PERFORMANCE.md ("MySQL
// and MariaDB", "first_registrations").
const mysqlCandOut = `origen_cand AS (
  SELECT r.uid, MIN(r.registered_at_f) AS registered_at_f, MIN(r.channel) AS channel, MIN(r.campaign) AS campaign,
         0 AS duplicates, 1 AS tie_rank,
         MIN(r.source) AS source, MIN(r.medium) AS medium,
         MIN(r.dim1) AS dim1, MIN(r.dim2) AS dim2, MIN(r.dim3) AS dim3, MIN(r.dim4) AS dim4
  FROM {{.RegistrationsKeyed}} AS r
  WHERE r.uid IS NOT NULL
    AND r.registered_at_f >= :range_start_raw AND r.registered_at_f <= :range_last_raw
  GROUP BY r.uid
  HAVING COUNT(*) = 1
  UNION ALL
  SELECT r.uid, r.registered_at_f, r.channel, r.campaign,
         {{.Duplicates}},
         RANK() OVER {{.UserOrder}},
         MIN(r.source), MIN(r.medium),
         MIN(r.dim1), MIN(r.dim2), MIN(r.dim3), MIN(r.dim4)
  FROM (SELECT m.uid
        FROM {{.RegistrationsKeyed}} AS m
        WHERE m.uid IS NOT NULL
          AND m.registered_at_f >= :range_start_raw AND m.registered_at_f <= :range_last_raw
        GROUP BY m.uid
        HAVING COUNT(*) > 1) AS u
  JOIN {{.RegistrationsKeyed}} AS r ON r.uid = u.uid
  WHERE r.registered_at_f >= :range_start_raw AND r.registered_at_f <= :range_last_raw
  GROUP BY r.uid, r.registered_at_f, r.channel_key, r.campaign_key, r.channel, r.campaign
),`

// mysqlFirstRegistrations is text with first_registrations' origen_cand
// in its MySQL form (mysqlCandOut).
func mysqlFirstRegistrations(text string) string {
	return strings.Replace(text, mysqlCandIn, mysqlCandOut, 1)
}
