package validate

import (
	"slices"
	"strings"
)

// Allowed values, embedded so that ferry reads no DDEX files at run time.
// TestAllowedValuesMatchAVS checks every list against the DDEX ERN 4.3
// allowed-value sets (../shared/ddex/xsd/ern/43/allowed-value-sets.xsd,
// AvsVersionId 3).

// Worldwide is the territory that stands for every country.
const Worldwide = "Worldwide"

// territoryCodes are the ISO 3166-1 alpha-2 country codes: the AVS's
// Iso31661TerritoryCode list without AN (Netherlands Antilles, dissolved
// in 2010) and CS (Serbia and Montenegro, split in 2006), which ISO
// withdrew, plus XK (Kosovo), a user-assigned code DDEX's
// CurrentTerritoryCode and the DSPs accept.
var territoryCodes = setOf(strings.Fields(
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ " +
		"BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM " +
		"DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS " +
		"GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN " +
		"KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ " +
		"MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM " +
		"PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV " +
		"SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI " +
		"VN VU WF WS XK YE YT ZA ZM ZW"))

// withdrawnTerritories explain codes people still use.
var withdrawnTerritories = map[string]string{
	"AN": "AN (Netherlands Antilles) was dissolved in 2010: use CW, SX and BQ",
	"CS": "CS (Serbia and Montenegro) split in 2006: use RS and ME",
	"UK": "the ISO code of the United Kingdom is GB",
	"EU": "EU is not a country: list the countries, or use Worldwide with excluded_territories",
	"EL": "the ISO code of Greece is GR",
}

// commercialModels are the AVS's CommercialModelType_ERN values, less
// UserDefined (which needs a value release.toml cannot give).
var commercialModels = []string{
	"AdvertisementSupportedModel", "DeviceFeeModel", "FreeOfChargeModel", "PayAsYouGoModel",
	"PerformanceRoyaltiesModel", "RightsClaimModel", "SubscriptionModel",
}

// asPerContract ("as agreed in the contract") is a commercial model and
// use type of the ERN 3.8.2, 4.1 and 4.1.1 value lists, gone from 4.2 on:
// accepted here, and checked against each DSP's ERN version
// (versionChecks).
const asPerContract = "AsPerContract"

// useTypes are the AVS's UseType_ERN values, less UserDefined.
var useTypes = []string{
	"Broadcast", "Cable", "ConditionalDownload", "ContentInfluencedStream", "Display", "Download",
	"Dub", "DubForOnDemandStreaming", "DubForLivePerformance", "DubForMovies", "DubForMusicOnHold",
	"DubForPublicPerformance", "DubForRadio", "DubForTV", "ExtractForInternet", "KioskDownload",
	"Narrowcast", "NonInteractiveStream", "OnDemandStream", "Perform", "PerformAsMusicOnHold",
	"PerformInLivePerformance", "PerformInPublic", "PermanentDownload", "Playback", "PlayInPublic",
	"Podcast", "Print", "PrivateCopy", "PurchaseAsPhysicalProduct", "Rent", "Simulcast", "Stream",
	"TetheredDownload", "TimeInfluencedStream", "Use", "UseAsAlertTone", "UseAsDevice",
	"UseAsKaraoke", "UseAsRingbackTone", "UseAsRingbackTune", "UseAsRingtone", "UseAsRingtune",
	"UseAsScreensaver", "UseAsVoiceMail", "UseAsWallpaper", "UseForIdentification",
	"UseInMobilePhoneMessaging", "UseInPhoneListening", "UserMakeAvailableLabelProvided",
	"UserMakeAvailableUserProvided", "Webcast",
}

// parentalWarnings are the AVS's ParentalWarningType values, less
// UserDefined.
var parentalWarnings = []string{"Explicit", "ExplicitContentEdited", "NoAdviceAvailable", "NotExplicit", "Unknown"}

// releaseTypes are the types release.toml may give: Album, Single and EP
// are DDEX ReleaseType values (EP is written as Album in ERN versions
// without it), Compilation is an Album flagged IsMultiArtistCompilation.
var releaseTypes = []string{"Album", "Single", "EP", "Compilation"}

func setOf(values []string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

// closest finds the allowed value v was meant to be: the same ignoring
// case, spaces, hyphens and underscores, or one that starts with it
// ("Subscription" for SubscriptionModel).
func closest(v string, allowed []string) string {
	key := func(s string) string {
		return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "_", "").Replace(s))
	}
	k := key(v)
	if k == "" {
		return ""
	}
	if i := slices.IndexFunc(allowed, func(a string) bool { return key(a) == k }); i >= 0 {
		return allowed[i]
	}
	var prefixed []string
	for _, a := range allowed {
		if strings.HasPrefix(key(a), k) {
			prefixed = append(prefixed, a)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	return ""
}
