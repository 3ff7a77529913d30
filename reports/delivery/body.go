package delivery

import (
	"bytes"
	_ "embed"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	"text/template"
	"unicode"
)

//go:embed templates/summary.html
var htmlSource string

//go:embed templates/summary.txt
var textSource string

// The body templates are constant, so they are parsed once; a parse error
// is a programming error that every test catches. html/template escapes
// every field for its context, channel names included.
var (
	htmlBody = htmltemplate.Must(htmltemplate.New("summary.html").Option("missingkey=error").Parse(htmlSource))
	textBody = template.Must(template.New("summary.txt").Option("missingkey=error").
			Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).Parse(textSource))
)

// bodyView is what the body templates see: the Summary, its headline
// figures as a list, and the names of the attached files.
type bodyView struct {
	Summary
	Figures        []figure
	ChannelHeaders []string
	Attachments    []string
}

type figure struct{ Label, Value, Detail string }

func newBodyView(s Summary, attachments []string) bodyView {
	customers := "within the conversion window"
	if s.WindowDays > 0 {
		customers = fmt.Sprintf("first purchase within %d days", s.WindowDays)
	}
	interval := ""
	if s.ConversionInterval != "" {
		interval = "95% interval " + s.ConversionInterval
	}
	return bodyView{
		Summary: s,
		Figures: []figure{
			{"Registrations", s.Registrations, ""},
			{"Customers", s.Customers, customers},
			{"Conversion rate", s.ConversionRate, interval},
			{"Spend", s.Spend, ""},
			{"Cost per customer (CAC)", s.CAC, "spend ÷ customers"},
			{"Revenue", s.Revenue, ""},
			{"ROAS", s.ROAS, "revenue ÷ spend"},
			{"Immature registrations", s.Immature, "may still convert"},
		},
		ChannelHeaders: []string{"Channel", "Registrations", "Customers", "Conversion rate", "Spend", "CAC", "ROAS"},
		Attachments:    attachments,
	}
}

// WriteHTML writes s as a short self-contained HTML page (inline styles, no
// images, no scripts) for an e-mail body. Every field is escaped.
func (s Summary) WriteHTML(w io.Writer) error { return s.writeHTML(w, nil) }

// WriteText writes s as plain text, the alternative to WriteHTML for mail
// readers that show no HTML.
func (s Summary) WriteText(w io.Writer) error { return s.writeText(w, nil) }

func (s Summary) writeHTML(w io.Writer, attachments []string) error {
	if err := htmlBody.Execute(w, newBodyView(s, attachments)); err != nil {
		return fmt.Errorf("render HTML summary: %w", err)
	}
	return nil
}

func (s Summary) writeText(w io.Writer, attachments []string) error {
	if err := textBody.Execute(w, newBodyView(s, attachments)); err != nil {
		return fmt.Errorf("render text summary: %w", err)
	}
	return nil
}

// DefaultSubjectTemplate is the subject when SMTPConfig.SubjectTemplate is
// empty.
const DefaultSubjectTemplate = "Origen {{if .Job}}{{.Job}} {{end}}report {{.Period}}: {{.Customers}} customers, CAC {{.CAC}}"

// maxSubjectRunes bounds a rendered subject; mail readers show far less.
const maxSubjectRunes = 200

// parseSubject parses a subject template. missingkey=error and the field
// check of text/template make a misspelt field fail at execution, which
// ValidateSubject does on a sample Summary.
func parseSubject(tmpl string) (*template.Template, error) {
	if strings.TrimSpace(tmpl) == "" {
		tmpl = DefaultSubjectTemplate
	}
	return template.New("subject").Option("missingkey=error").Parse(tmpl)
}

// ValidateSubject reports whether tmpl is a usable subject template: it
// parses, and renders a sample Summary without error (so a misspelt field
// such as {{.Cac}} fails when the configuration is loaded, not at 06:00).
func ValidateSubject(tmpl string) error {
	_, err := renderSubject(tmpl, sampleSummary())
	return err
}

// renderSubject executes the subject template over s and makes the result
// one line of printable text: control characters (a CR or LF would start a
// new header) become spaces, runs of spaces collapse, and it is cut to
// maxSubjectRunes.
func renderSubject(tmpl string, s Summary) (string, error) {
	t, err := parseSubject(tmpl)
	if err != nil {
		return "", fmt.Errorf("subject template: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, s); err != nil {
		return "", fmt.Errorf("subject template: %w", err)
	}
	subject := oneLine(b.String())
	if r := []rune(subject); len(r) > maxSubjectRunes {
		subject = string(r[:maxSubjectRunes-1]) + "…"
	}
	if subject == "" {
		subject = "Origen report " + s.Period
	}
	return subject, nil
}

// oneLine replaces control characters and other white space by single
// spaces and trims the result.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// sampleSummary returns a Summary with every field set, to try templates
// on.
func sampleSummary() Summary {
	s := Summary{
		Job: "monthly", Title: "Origen channel report 2026-10-01 to 2026-10-31",
		Period: "2026-10-01 to 2026-10-31", From: "2026-10-01", To: "2026-11-01", LastDay: "2026-10-31",
		AsOf: "2026-11-20 00:00:00 +01:00", Timezone: "Europe/Berlin", Currency: "EUR", WindowDays: 30, Version: "v1.0.0",
		Registrations: "24,000", Customers: "1,234", ConversionRate: "5.14%", ConversionInterval: "4.87% – 5.43%",
		Spend: "12,000.00 EUR", CAC: "9.72 EUR", Revenue: "28,200.00 EUR", ROAS: "2.35x", Immature: "0",
		OtherChannels: 2,
		Notes:         []string{"note"},
	}
	for range TopChannels {
		s.TopChannels = append(s.TopChannels, ChannelSummary{Channel: "paid_search", Registrations: "8,000", Customers: "500",
			ConversionRate: "6.25%", Spend: "5,000.00 EUR", CAC: "10.00 EUR", Revenue: "11,000.00 EUR", ROAS: "2.20x"})
	}
	return s
}
