package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/origen-analytics/origen/attribution"
)

// utmConfig maps registrations by source, medium and campaign (no
// channel) and spend by source and medium; %s is the rest.
func utmConfig(regs, spend, rest string) string {
	return `[database]
driver = "postgres"
dsn = "postgres://origen@db/shop"
[registrations]
table = "r"
` + regs + `
[purchases]
table = "p"
[spend]
table = "s"
` + spend + `
[report]
currency = "EUR"
` + rest
}

const utmRegs = `source = "utm_source"
medium = "utm_medium"
campaign = "utm_campaign"`

func TestConfigChannels(t *testing.T) {
	t.Run("source and medium without channel group by GA4's rules", func(t *testing.T) {
		c, err := loadConfig(writeFile(t, t.TempDir(), "c.toml", utmConfig(utmRegs, "source = \"src\"\nmedium = \"med\"", `
[channels]
merge_case = true

[channels.aliases]
"Organic Search" = " SEO "

[[channels.rule]]
source = "^partner"
channel = "Partners"

[[channels.rule]]
medium = "^QR$"
campaign = "flyer"
channel = "Offline"
`)), envMap{}.get)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Mapping.Registrations.GroupChannel || !c.Mapping.Spend.GroupChannel {
			t.Errorf("grouping: registrations %v, spend %v", c.Mapping.Registrations.GroupChannel, c.Mapping.Spend.GroupChannel)
		}
		m := c.Channels
		if m == nil || !m.MergeCase || m.Aliases["Organic Search"] != "SEO" || len(m.Rules) != 2 || m.Rules[1].Channel != "Offline" {
			t.Fatalf("channels = %+v", m)
		}
		if r := m.Rules[1]; r.Source != nil || !r.Medium.MatchString("qr") || !r.Campaign.MatchString("Spring FLYER") {
			t.Errorf("rule 2 = %+v: regular expressions ignore case", r)
		}
		for _, want := range []string{"[channels]\nmerge_case = true", `"Organic Search" = " SEO "`, "[[channels.rule]]\nmedium = \"^QR$\"\ncampaign = \"flyer\"\nchannel = \"Offline\""} {
			if !strings.Contains(c.Text, want) {
				t.Errorf("audit text lacks %q:\n%s", want, c.Text)
			}
		}
	})
	t.Run("a channel column keeps the labels as written", func(t *testing.T) {
		c, err := loadConfig(writeFile(t, t.TempDir(), "c.toml", utmConfig(utmRegs+"\nchannel = \"ch\"", "", "")), envMap{}.get)
		if err != nil {
			t.Fatal(err)
		}
		if c.Mapping.Registrations.GroupChannel || c.Channels != nil {
			t.Errorf("grouping %v, channels %+v", c.Mapping.Registrations.GroupChannel, c.Channels)
		}
	})
	t.Run("grouping none reads the channel column", func(t *testing.T) {
		c, err := loadConfig(writeFile(t, t.TempDir(), "c.toml", utmConfig(utmRegs, "", "[channels]\ngrouping = \"none\"\n")), envMap{}.get)
		if err != nil || c.Mapping.Registrations.GroupChannel {
			t.Errorf("err %v, grouping %v", err, c != nil && c.Mapping.Registrations.GroupChannel)
		}
	})
	t.Run("grouping ga4 with sql", func(t *testing.T) {
		cfg := strings.Replace(utmConfig("", "", "[channels]\ngrouping = \"ga4\"\n"), `table = "r"`, `sql = "SELECT * FROM r"`, 1)
		c, err := loadConfig(writeFile(t, t.TempDir(), "c.toml", cfg), envMap{}.get)
		if err != nil || !c.Mapping.Registrations.GroupChannel || c.Mapping.Spend.GroupChannel {
			t.Errorf("err %v, config %+v", err, c)
		}
	})
}

func TestConfigChannelsErrors(t *testing.T) {
	tests := []struct{ name, regs, spend, rest, want string }{
		{"invalid regex", utmRegs, "", "[[channels.rule]]\nsource = \"x\"\nchannel = \"A\"\n[[channels.rule]]\nmedium = \"(cpc\"\nchannel = \"B\"\n",
			`[[channels.rule]] number 2 (channel "B"): medium = "(cpc" is not a valid regular expression (RE2 syntax): error parsing regexp: missing closing )`},
		{"rule without channel", utmRegs, "", "[[channels.rule]]\nsource = \"x\"\n", "[[channels.rule]] number 1 has no channel"},
		{"rule without a condition", utmRegs, "", "[[channels.rule]]\nchannel = \"A\"\n", `[[channels.rule]] number 1 (channel "A") matches nothing`},
		{"unknown rule key", utmRegs, "", "[[channels.rule]]\nterm = \"x\"\nchannel = \"A\"\n", "unknown key channels.rule.term"},
		{"rules without grouping", utmRegs + "\nchannel = \"ch\"", "", "[[channels.rule]]\nsource = \"x\"\nchannel = \"A\"\n", "[[channels.rule]] applies to channels derived from source, medium and campaign"},
		{"ga4 without source", "medium = \"m\"", "", "[channels]\ngrouping = \"ga4\"\n", `[channels] grouping = "ga4" derives the channel from source and medium: map them in [registrations]`},
		{"ga4 with a channel column", utmRegs + "\nchannel = \"ch\"", "", "[channels]\ngrouping = \"ga4\"\n", `also maps channel = "ch": remove one of them`},
		{"unknown grouping", utmRegs, "", "[channels]\ngrouping = \"ua\"\n", `[channels] grouping = "ua": use "ga4"`},
		{"spend with only a source", utmRegs, "source = \"src\"", "", "[spend] maps only one of source and medium"},
		{"spend with channel and source", utmRegs, "source = \"src\"\nmedium = \"med\"\nchannel = \"ch\"", "", `[spend] maps channel = "ch" and source and medium`},
		{"empty alias", utmRegs, "", "[channels.aliases]\n\"paid search\" = \" \"\n", `[channels.aliases] "paid search" = " ": both the label and the channel it becomes must be non-empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(writeFile(t, t.TempDir(), "c.toml", utmConfig(tt.regs, tt.spend, tt.rest)), envMap{}.get)
			var ae *attribution.Error
			if err == nil || !errors.As(err, &ae) || ae.Kind != attribution.KindConfig || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a config error containing %q", err, tt.want)
			}
		})
	}
}
