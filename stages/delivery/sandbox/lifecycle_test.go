package sandbox

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern"
	"github.com/ferrydelivery/ferry/ern/erntest"
)

// TestLifecycleThroughSFTP delivers, narrows, takes down, restores and
// purges one release through the sandbox's SFTP server with ferry's SFTP
// client, in an ERN 3 and ERN 4 version with and without
// IsProvidedInDelivery, and checks after each message both the
// acknowledgement and the sandbox's view of the release.
func TestLifecycleThroughSFTP(t *testing.T) {
	for _, v := range []ern.Version{ern.V382, ern.V41, ern.V432} {
		t.Run(string(v), func(t *testing.T) { testLifecycle(t, v) })
	}
}

func testLifecycle(t *testing.T, v ern.Version) {
	b := startBox(t, "")
	audio := []byte("RIFF-not-really-a-wav " + string(v))
	// notSent is the release with its file described but not sent again.
	notSent := func(territories ...string) *ern.Release {
		r := testRelease(audio, territories...)
		r.Tracks[0].Audio.File.Provided = false
		return r
	}
	scheduled := notSent()
	scheduled.Deals[0].EndDate = "2099-01-31"
	ended := notSent()
	ended.Deals[0].EndDate = "2001-01-31"
	steps := []struct {
		name   string
		kind   ern.Kind
		r      *ern.Release
		upload bool
		// want: the acknowledgement's status and information prefix
		status, info string
		// and the sandbox's view afterwards ("" status: not known)
		live        string
		territories []string
		until       string
	}{
		{"takedown of a release never delivered", ern.Takedown, notSent(), false,
			"ReleaseNotAvailable", "takedown: refused", "", nil, ""},
		{"purge of a release never delivered", ern.Purge, notSent(), false,
			"ReleaseNotAvailable", "purge: refused", "", nil, ""},
		{"first delivery", ern.NewRelease, testRelease(audio), true,
			ern.StatusIngested, "new: release " + testUPC + " is live in Worldwide", StatusLive, []string{"Worldwide"}, ""},
		{"update to two territories", ern.Update, notSent("FR", "DE"), false,
			ern.StatusIngested, "update: release " + testUPC + " is live in DE, FR", StatusLive, []string{"DE", "FR"}, ""},
		{"scheduled takedown", ern.Update, scheduled, false,
			ern.StatusIngested, "update: release " + testUPC + " is live in Worldwide until 2099-01-31", StatusLive, []string{"Worldwide"}, "2099-01-31"},
		{"takedown", ern.Takedown, notSent(), false,
			ern.StatusIngested, "takedown: release " + testUPC + " is taken down", StatusTakenDown, nil, ""},
		{"restore", ern.Update, notSent(), false,
			ern.StatusIngested, "restore: release " + testUPC + " is live in Worldwide", StatusLive, []string{"Worldwide"}, ""},
		{"deals ended", ern.Update, ended, false,
			ern.StatusIngested, "update: release " + testUPC + " is taken down", StatusTakenDown, nil, ""},
		{"purge", ern.Purge, notSent(), false,
			ern.StatusIngested, "purge: release " + testUPC + " is purged", StatusPurged, nil, ""},
		{"delivery after the purge", ern.NewRelease, testRelease(audio), true,
			"ReleaseNotAvailable", "new: refused", StatusPurged, nil, ""},
	}
	acks := map[string][]byte{}
	var history []string
	for i, st := range steps {
		id := fmt.Sprintf("MSG-%s-%02d", strings.ReplaceAll(string(v), ".", ""), i)
		folder := fmt.Sprintf("N_%s_2026010203040%d%02d", testUPC, 5, i)
		var audioSent []byte
		if st.upload {
			audioSent = audio
		}
		b.deliver(t, folder, audioSent, messageXML(t, v, id, st.kind, st.r))
		got, data := b.waitAck(t, id)
		acks[fmt.Sprintf("%02d.xml", i)] = data
		if got.Status != st.status || !strings.HasPrefix(got.Information, st.info) {
			t.Fatalf("%s: acknowledgement %s / %q (%s), want %s / %q", st.name, got.Status, got.Information, got.ErrorText, st.status, st.info)
		}
		if st.status == "ReleaseNotAvailable" && (got.ProposedAction != "DoNotResendRelease" || got.ErrorText == "") {
			t.Errorf("%s: a refusal says %q, proposes %q", st.name, got.ErrorText, got.ProposedAction)
		}
		wantType := "NewReleaseMessage"
		if st.kind == ern.Purge {
			wantType = "PurgeReleaseMessage"
		}
		if got.MessageType != wantType || got.ReleaseID != testUPC {
			t.Errorf("%s: acknowledges a %s of %q, want %s of %s", st.name, got.MessageType, got.ReleaseID, wantType, testUPC)
		}
		view, err := Live(b.dir)
		if err != nil {
			t.Fatal(err)
		}
		s, known := view[testUPC]
		if !known {
			if st.live != "" {
				t.Fatalf("%s: the sandbox does not know the release", st.name)
			}
			continue
		}
		if s.Status != st.live || !slices.Equal(s.Territories, st.territories) || s.Until != st.until {
			t.Errorf("%s: sandbox view %s in %v until %q, want %s in %v until %q", st.name, s.Status, s.Territories, s.Until,
				st.live, st.territories, st.until)
		}
		if st.status == ern.StatusIngested {
			history = append(history, strings.SplitN(st.info, ":", 2)[0])
		}
		var gotHistory []string
		for _, h := range s.History {
			gotHistory = append(gotHistory, h.Action)
		}
		if !slices.Equal(gotHistory, history) {
			t.Errorf("%s: history %v, want %v", st.name, gotHistory, history)
		}
		if last := s.Last(); st.status == ern.StatusIngested && (last.MessageID != id || last.At.After(time.Now())) {
			t.Errorf("%s: last transition %+v, want message %s", st.name, last, id)
		}
	}
	erntest.ValidateAll(t, erntest.ChoreographySchema(t), acks)
}

func TestLiveAt(t *testing.T) {
	now := time.Date(2027, 1, 31, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		s    State
		want bool
	}{
		{State{Status: StatusLive}, true},
		{State{Status: StatusLive, Until: "2027-01-31"}, true}, // a date is valid through that day
		{State{Status: StatusLive, Until: "2027-01-30"}, false},
		{State{Status: StatusLive, Until: "2027-01-31T11:59"}, false},
		{State{Status: StatusLive, Until: "2027-01-31T23:59:00Z"}, true},
		{State{Status: StatusTakenDown}, false},
		{State{Status: StatusPurged}, false},
	}
	for _, tt := range tests {
		if got := tt.s.LiveAt(now); got != tt.want {
			t.Errorf("%s until %q: LiveAt = %v, want %v", tt.s.Status, tt.s.Until, got, tt.want)
		}
	}
}
