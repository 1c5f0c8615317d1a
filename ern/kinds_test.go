package ern

import (
	"bytes"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

func parse(t *testing.T, doc []byte) *etree.Element {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err != nil {
		t.Fatal(err)
	}
	return d.Root()
}

func fixtureMsg(name string) *Message {
	for _, fx := range fixtures() {
		if fx.name == name {
			return fx.msg
		}
	}
	panic("no fixture " + name)
}

func write(t *testing.T, v Version, m *Message) *etree.Element {
	t.Helper()
	doc, err := Marshal(v, m)
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, doc)
}

// TestMessageKinds checks how each version says new release, update,
// takedown and purge.
func TestMessageKinds(t *testing.T) {
	for _, v := range Versions {
		f := featureTable[v]
		t.Run(string(v), func(t *testing.T) {
			nr := write(t, v, fixtureMsg("album12"))
			up := write(t, v, fixtureMsg("update"))
			td := write(t, v, fixtureMsg("takedown"))
			pg := write(t, v, fixtureMsg("purge"))
			if nr.Tag != "NewReleaseMessage" || up.Tag != "NewReleaseMessage" || td.Tag != "NewReleaseMessage" {
				t.Errorf("roots %s, %s, %s; want NewReleaseMessage", nr.Tag, up.Tag, td.Tag)
			}
			if pg.Tag != "PurgeReleaseMessage" {
				t.Errorf("purge root %s", pg.Tag)
			}
			if got := text(pg, "PurgedRelease", "ReleaseId", "ICPN"); got != "5901234123457" {
				t.Errorf("purged ICPN %q", got)
			}
			if got := text(pg, "PurgedRelease", "ReleaseId", "GRid"); got != "A10302B0001234567I" {
				t.Errorf("purged GRid %q", got)
			}
			if f.ern3 {
				if got := text(nr, "UpdateIndicator"); got != "OriginalMessage" {
					t.Errorf("new release UpdateIndicator %q", got)
				}
				if got := text(up, "UpdateIndicator"); got != "UpdateMessage" {
					t.Errorf("update UpdateIndicator %q", got)
				}
				deals := td.FindElements("./DealList/ReleaseDeal/Deal/DealTerms")
				if len(deals) == 0 {
					t.Fatal("3.8.2 takedown without deals")
				}
				for _, d := range deals {
					if text(d, "TakeDown") != "true" {
						t.Error("3.8.2 takedown deal without TakeDown=true")
					}
				}
			} else {
				// A 4.x takedown is end-dated deals: no DealList means
				// "deals sent separately", never a takedown.
				ends := td.FindElements("./DealList/ReleaseDeal/Deal/DealTerms/ValidityPeriod/EndDate")
				if len(ends) == 0 {
					t.Fatal("4.x takedown without an end-dated deal")
				}
				for _, e := range ends {
					if e.Text() >= "2025-03-14" {
						t.Errorf("4.x takedown deal ends on %s, not before the message date", e.Text())
					}
				}
				if nr.SelectElement("DealList") == nil {
					t.Error("4.x new release has no DealList")
				}
				if nr.SelectElement("UpdateIndicator") != nil {
					t.Error("4.x message has an UpdateIndicator")
				}
			}
			// Update: every file is still described; 4.2+ flags those
			// not sent again.
			files := up.FindElements("//File")
			if len(files) != 13 {
				t.Errorf("update describes %d files, want 13 (12 tracks and the cover)", len(files))
			}
			flags := up.FindElements("//IsProvidedInDelivery")
			if !f.providedFlag {
				if len(flags) != 0 {
					t.Errorf("%s has no IsProvidedInDelivery but %d were written", v, len(flags))
				}
				return
			}
			var no, yes int
			for _, e := range flags {
				switch e.Text() {
				case "false":
					no++
				case "true":
					yes++
				}
			}
			if no != 12 || yes != 1 {
				t.Errorf("IsProvidedInDelivery: %d false, %d true; want 12 false (11 tracks and cover), 1 true", no, yes)
			}
		})
	}
}

// TestRootAttributes checks the attributes each version's schema wants
// and the AvsVersionId override.
func TestRootAttributes(t *testing.T) {
	for _, v := range Versions {
		f := featureTable[v]
		root := write(t, v, fixtureMsg("single"))
		if got := root.SelectAttrValue("LanguageAndScriptCode", ""); got != "en" {
			t.Errorf("%s: LanguageAndScriptCode %q", v, got)
		}
		msv := root.SelectAttrValue("MessageSchemaVersionId", "")
		if f.ern3 != (msv == "ern/382") {
			t.Errorf("%s: MessageSchemaVersionId %q", v, msv)
		}
		avs := root.SelectAttr("AvsVersionId")
		if (avs != nil) != (f.avsVersionID != "") {
			t.Errorf("%s: AvsVersionId present=%v", v, avs != nil)
		}
		var buf bytes.Buffer
		if err := WriteWith(&buf, v, fixtureMsg("single"), Options{AvsVersionID: "12"}); err != nil {
			t.Fatal(err)
		}
		got := parse(t, buf.Bytes()).SelectAttrValue("AvsVersionId", "")
		if f.avsVersionID != "" && got != "12" || f.avsVersionID == "" && got != "" {
			t.Errorf("%s: AvsVersionId with override = %q", v, got)
		}
	}
}

// TestHeader checks the MessageHeader fields and the test-message flag.
func TestHeader(t *testing.T) {
	m := fixtureMsg("single")
	m.Header.Test = true
	for _, v := range Versions {
		mh := write(t, v, m).SelectElement("MessageHeader")
		want := map[string]string{
			"MessageThreadId":                     "thread-single",
			"MessageId":                           "msg-single-1",
			"MessageSender/PartyId":               sender.DPID,
			"MessageSender/PartyName/FullName":    sender.Name,
			"MessageRecipient/PartyId":            recipient.DPID,
			"MessageRecipient/PartyName/FullName": recipient.Name,
			"MessageCreatedDateTime":              "2025-03-14T09:26:53Z",
			"MessageControlType":                  "TestMessage",
		}
		for path, w := range want {
			if got := text(mh, strings.Split(path, "/")...); got != w {
				t.Errorf("%s: %s = %q, want %q", v, path, got, w)
			}
		}
	}
}

// TestReleaseTypes checks the type mapping: EP where the version has it,
// Album otherwise; a compilation is a flagged Album.
func TestReleaseTypes(t *testing.T) {
	for _, v := range Versions {
		f := featureTable[v]
		main := func(root *etree.Element) *etree.Element {
			if f.ern3 {
				return root.FindElement("./ReleaseList/Release[@IsMainRelease='true']")
			}
			return root.FindElement("./ReleaseList/Release")
		}
		ep := main(write(t, v, fixtureMsg("ep")))
		want := "EP"
		if v == V41 || v == V411 {
			want = "Album"
		}
		if got := text(ep, "ReleaseType"); got != want {
			t.Errorf("%s: EP written as %q, want %q", v, got, want)
		}
		comp := main(write(t, v, fixtureMsg("compilation")))
		if got := text(comp, "ReleaseType"); got != "Album" {
			t.Errorf("%s: compilation written as %q", v, got)
		}
		flag := comp.FindElement(".//IsMultiArtistCompilation")
		if flag == nil || flag.Text() != "true" {
			t.Errorf("%s: compilation without IsMultiArtistCompilation=true", v)
		}
		id := main(write(t, v, fixtureMsg("album12"))).SelectElement("ReleaseId")
		if text(id, "ICPN") != "5901234123457" || text(id, "GRid") != "A10302B0001234567I" {
			t.Errorf("%s: ReleaseId ICPN %q GRid %q", v, text(id, "ICPN"), text(id, "GRid"))
		}
	}
}

// TestDefaults writes a release with every optional value missing: the
// schema-required ones get defaults (checked here; validity is checked by
// TestMinimalReleaseValidates).
func TestDefaults(t *testing.T) {
	m := minimal()
	for _, v := range Versions {
		root := write(t, v, m)
		if got := root.SelectAttrValue("LanguageAndScriptCode", ""); got != "en" {
			t.Errorf("%s: language %q", v, got)
		}
		for _, pw := range root.FindElements("//ParentalWarningType") {
			if pw.Text() != "NoAdviceAvailable" {
				t.Errorf("%s: ParentalWarningType %q", v, pw.Text())
			}
		}
	}
}
