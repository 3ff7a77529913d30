// Package delivery sends a finished run's report where a scheduled job's
// readers are: an e-mail over SMTP with a short summary of the headline
// figures in the body and the report files attached, and a webhook POST of
// the JSON report or of a Slack-style summary. A failed run sends a failure
// notice through the same channels.
//
// It reads attribution.Report only to summarise it (Summarize); the files
// are written, synced and renamed into place by the caller before delivery
// starts, so nothing is ever sent for a partial run. Secrets (the SMTP
// password, the webhook secret, tokens in URLs) never appear in the errors
// it returns: every message goes through Redact.
package delivery
