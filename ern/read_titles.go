package ern

import (
	"strings"

	"github.com/beevik/etree"
)

// subTitle picks a title's version among its SubTitles: the one typed
// Version, else the first whatever its type (real messages often write
// "Radio Edit" as an untyped SubTitle; dropping it leaves two tracks
// with one title).
func subTitle(t *etree.Element) string {
	subs := t.SelectElements("SubTitle")
	for _, st := range subs {
		if st.SelectAttrValue("SubTitleType", "") == "Version" {
			if s := strings.TrimSpace(st.Text()); s != "" {
				return s
			}
		}
	}
	for _, st := range subs {
		if s := strings.TrimSpace(st.Text()); s != "" {
			return s
		}
	}
	return ""
}

// localTitles reads the titles among els in a language other than main's
// (their LanguageAndScriptCode), one per language, in document order.
func localTitles(els []*etree.Element, main *etree.Element, lang string) []LocalTitle {
	var out []LocalTitle
	seen := map[string]bool{}
	mainLang := ""
	if main != nil {
		mainLang = main.SelectAttrValue("LanguageAndScriptCode", "")
	}
	for _, e := range els {
		l := e.SelectAttrValue("LanguageAndScriptCode", "")
		if e == main || l == "" || l == mainLang || l == lang || seen[l] {
			continue
		}
		seen[l] = true
		out = append(out, LocalTitle{Language: l, Title: text(e, "TitleText"), VersionTitle: subTitle(e)})
	}
	return out
}

// titles4 reads a 4.x resource's or release's title, version and titles
// in other languages: the preferred DisplayTitle (its Version sub-title,
// else any sub-title, else one of an AdditionalTitle in the same
// language), else DisplayTitleText.
func (rd *reader) titles4(e *etree.Element) (title, version string, local []LocalTitle) {
	dts := e.SelectElements("DisplayTitle")
	dt := preferred(dts)
	if dt == nil {
		return preferredText(e, "DisplayTitleText"), "", nil
	}
	title = text(dt, "TitleText")
	version = subTitle(dt)
	mainLang := dt.SelectAttrValue("LanguageAndScriptCode", "")
	if version == "" {
		for _, at := range e.SelectElements("AdditionalTitle") {
			if l := at.SelectAttrValue("LanguageAndScriptCode", ""); l != "" && l != mainLang && l != rd.lang {
				continue
			}
			if version = subTitle(at); version != "" {
				break
			}
		}
	}
	return title, version, localTitles(dts, dt, rd.lang)
}
