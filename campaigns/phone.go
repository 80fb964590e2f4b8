package campaigns

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Phone is a phone number in E.164. Its LogValue masks the middle digits, so
// a Phone given to log/slog never prints the whole number.
type Phone string

// LogValue implements slog.LogValuer: "+12025550143" logs as "+1202*****43".
func (p Phone) LogValue() slog.Value { return slog.StringValue(MaskPhone(string(p))) }

// String is the masked form too, so that fmt and %v do not leak the number.
func (p Phone) String() string { return MaskPhone(string(p)) }

// MaskPhone keeps the first five characters (the "+", country code and the
// start of the area code) and the last two digits of a number and masks the
// rest. Numbers of 7 characters or fewer keep only their last two.
func MaskPhone(s string) string {
	if len(s) <= 2 {
		return strings.Repeat("*", len(s))
	}
	if len(s) <= 7 {
		return strings.Repeat("*", len(s)-2) + s[len(s)-2:]
	}
	return s[:5] + strings.Repeat("*", len(s)-7) + s[len(s)-2:]
}

// NormalizePhone parses a number as a person would write it (national form
// in region, or international with "+") and returns it in E.164. It fails
// for numbers that are not valid in their country's numbering plan.
func NormalizePhone(raw, region string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fmt.Errorf("empty phone number")
	}
	n, err := phonenumbers.Parse(raw, region)
	if err != nil {
		return "", fmt.Errorf("not a phone number: %v", err)
	}
	if !phonenumbers.IsValidNumber(n) {
		return "", fmt.Errorf("not a valid number (default region %s)", region)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// supportedRegion reports whether region (upper case ISO 3166 alpha-2) is a
// region phonenumbers has metadata for.
func supportedRegion(region string) bool {
	_, ok := phonenumbers.GetSupportedRegions()[region]
	return ok
}
