package ern

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/ern/erntest"
)

// recorder writes what scanXML reports as a compact trace.
type recorder struct{ b strings.Builder }

func (r *recorder) start(name []byte, attrs []xmlAttr) {
	r.b.WriteString("<" + string(name))
	for _, a := range attrs {
		r.b.WriteString(" " + string(a.name) + "=" + string(a.value))
	}
	r.b.WriteString(">")
}
func (r *recorder) end(name []byte) { r.b.WriteString("</" + string(name) + ">") }
func (r *recorder) text(t []byte)   { r.b.WriteString("[" + string(t) + "]") }

func TestScanXML(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{`<a><b>x</b></a>`, `<a><b>[x]</b></a>`, ""},
		{`  <p:a x="1" y='2'><b/></p:a>`, `<p:a x=1 y=2><b></b></p:a>`, ""},
		{`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a/> <!-- end -->`, `<a></a>`, ""},
		{`<a/><b/>`, "", "content after the root"},
		{`<a><!ELEMENT x></a>`, "", "markup declaration"},
		{`<a>R&amp;B &#233;&#xE9; &lt;</a>`, `<a>[R&B éé <]</a>`, ""},
		{`<a><![CDATA[<x>&]]><!-- <c> --><?pi x?>y</a>`, `<a>[<x>&][y]</a>`, ""},
		{`<a></b>`, "", "does not close"},
		{`<a><b></a>`, "", "does not close"},
		{`<a>`, "", "not closed"},
		{`<a x=1>`, "", "not quoted"},
		{`<a x="1>`, "", "not closed"},
		{`<a>&bogus;</a>`, "", "unknown entity"},
		{`<a>&#xD800;</a>`, "", "bad character reference"},
		{`<a>&</a>`, "", "starts no entity"},
		{`<a><!-- x</a>`, "", "comment is not closed"},
		{strings.Repeat("<a>", 100), "", "nested more than"},
		{`x<a/>`, "", "text outside"},
		{``, "", "no element"},
	}
	for _, tt := range tests {
		var r recorder
		err := scanXML([]byte(tt.in), &r)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("scanXML(%.30q): err %v, want %q", tt.in, err, tt.err)
			}
		case err != nil:
			t.Errorf("scanXML(%.30q): %v", tt.in, err)
		case r.b.String() != tt.want:
			t.Errorf("scanXML(%.30q) = %s, want %s", tt.in, r.b.String(), tt.want)
		}
	}
}

// TestDealListSpelledOtherwise: entities, CDATA, comments, attributes
// and a prefix in the DealList read as the plain form does.
func TestDealListSpelledOtherwise(t *testing.T) {
	plain, err := Marshal(V43, message("deals", NewRelease, album12()))
	if err != nil {
		t.Fatal(err)
	}
	odd := []byte(strings.NewReplacer(
		"<TerritoryCode>US</TerritoryCode>", "<TerritoryCode><!-- the US -->U&#83;</TerritoryCode>",
		"<CommercialModelType>SubscriptionModel</CommercialModelType>", "<CommercialModelType><![CDATA[SubscriptionModel]]></CommercialModelType>",
		"<StartDate>2025-04-04</StartDate>", "<StartDate >2025-04-04</StartDate >",
	).Replace(string(plain)))
	if bytes.Equal(odd, plain) {
		t.Fatal("nothing replaced")
	}
	erntest.Validate(t, erntest.Schema(t, V43.Dir()), odd)
	a, _, err := Read(bytes.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := Read(bytes.NewReader(odd))
	if err != nil {
		t.Fatal(err)
	}
	if d := diffDeals(a.Release.Deals, b.Release.Deals); d != "" {
		t.Error(d)
	}
	for _, bad := range []string{"</DealTerms></DealList>", "<DealList>"} {
		broken := bytes.Replace(plain, []byte("</DealList>"), []byte(bad), 1)
		if _, _, err := Read(bytes.NewReader(broken)); err == nil {
			t.Errorf("a broken DealList (%s) read without error", bad)
		}
	}
}

func diffDeals(a, b []Deal) string {
	if len(a) != len(b) {
		return "deal counts differ"
	}
	for i := range a {
		if strings.Join(a[i].Territories, ",") != strings.Join(b[i].Territories, ",") || a[i].CommercialModel != b[i].CommercialModel || a[i].StartDate != b[i].StartDate {
			return "deals differ: " + strings.Join(a[i].Territories, ",") + " / " + strings.Join(b[i].Territories, ",")
		}
	}
	return ""
}
