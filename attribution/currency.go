package attribution

import "strings"

// Currency is an ISO 4217 currency with the number of decimal places of its
// minor unit, used only to format amounts for display.
type Currency struct {
	Code   string
	Digits int
}

// iso4217 lists the active ISO 4217 currency codes (funds and precious
// metals excluded) as of 2025. Codes not in minorDigits have 2 decimals.
const iso4217 = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV " +
	"BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP " +
	"DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD " +
	"IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA " +
	"MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP " +
	"PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP " +
	"SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST " +
	"XAF XCD XCG XOF XPF YER ZAR ZMW ZWG"

var minorDigits = map[string]int{
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
}

// LookupCurrency returns the currency for an ISO 4217 code (upper case), and
// false when the code is not an active ISO 4217 currency.
func LookupCurrency(code string) (Currency, bool) {
	if len(code) != 3 || !strings.Contains(" "+iso4217+" ", " "+code+" ") {
		return Currency{}, false
	}
	d, ok := minorDigits[code]
	if !ok {
		d = 2
	}
	return Currency{Code: code, Digits: d}, true
}
