-- prospects - every registered user who is still inside the conversion
-- window at as_of and has not bought yet (METRICS-COHORTS.md, "Prospects") -
-- the user's first registration (first_registrations, over the
-- registrations younger than W), with no purchase of amount > 0 up to
-- as_of (before registering makes an existing customer, after it a
-- converted one). One row per user, streamed, not aggregated - this is the
-- list the CRM picks up.
WITH
-- include first_registrations
SELECT {{.UserIDText}} AS user_id, channel, campaign, reg_us
FROM origen_facts
WHERE existing < 1 AND first_at IS NULL
