package delivery

import (
	"reflect"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
)

func TestWithdrawSplitsDealsByTerritory(t *testing.T) {
	world := ern.Deal{Territories: []string{"Worldwide"}, CommercialModel: "SubscriptionModel", StartDate: "2026-12-04"}
	some := ern.Deal{Territories: []string{"DE", "FR", "GB"}, CommercialModel: "PayAsYouGoModel", StartDate: "2026-12-04", EndDate: "2027-01-15"}
	cases := []struct {
		name        string
		territories []string
		want        []ern.Deal
	}{
		{"everywhere", nil, []ern.Deal{
			{Territories: []string{"Worldwide"}, CommercialModel: "SubscriptionModel", StartDate: "2026-12-04", EndDate: "2027-01-30"},
			{Territories: []string{"DE", "FR", "GB"}, CommercialModel: "PayAsYouGoModel", StartDate: "2026-12-04", EndDate: "2027-01-15"}, // ends sooner already
		}},
		{"Germany only", []string{"DE"}, []ern.Deal{
			{Territories: []string{"DE"}, CommercialModel: "SubscriptionModel", StartDate: "2026-12-04", EndDate: "2027-01-30"},
			{Territories: []string{"Worldwide"}, ExcludedTerritories: []string{"DE"}, CommercialModel: "SubscriptionModel", StartDate: "2026-12-04"},
			{Territories: []string{"DE"}, CommercialModel: "PayAsYouGoModel", StartDate: "2026-12-04", EndDate: "2027-01-15"},
			{Territories: []string{"FR", "GB"}, CommercialModel: "PayAsYouGoModel", StartDate: "2026-12-04", EndDate: "2027-01-15"},
		}},
		{"a territory no deal has", []string{"JP"}, []ern.Deal{
			{Territories: []string{"JP"}, CommercialModel: "SubscriptionModel", StartDate: "2026-12-04", EndDate: "2027-01-30"},
			{Territories: []string{"Worldwide"}, ExcludedTerritories: []string{"JP"}, CommercialModel: "SubscriptionModel", StartDate: "2026-12-04"},
			some,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := withdraw([]ern.Deal{world, some}, c.territories, "2027-01-30")
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestLastDayOnSaleIsTheUTCDayBefore(t *testing.T) {
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Time{}, "2026-12-04"}, // now: ended yesterday
		{time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), "2027-01-31"},
		{time.Date(2027, 1, 31, 23, 59, 0, 0, time.UTC), "2027-01-30"},
		// 05:00 on 1 February in Auckland (UTC+13) is 16:00 UTC on 31 January.
		{time.Date(2027, 2, 1, 5, 0, 0, 0, auckland), "2027-01-30"},
		// 14:00 on 1 February in Auckland is 01:00 UTC on 1 February.
		{time.Date(2027, 2, 1, 14, 0, 0, 0, auckland), "2027-01-31"},
	} {
		if got := lastDayOnSale(c.at, now); got != c.want {
			t.Errorf("takedown at %v: last day %s, want %s", c.at, got, c.want)
		}
	}
}
