package ern

import "fmt"

// Version is an ERN message version as DSPs name it, e.g. "4.3".
type Version string

// The seven ERN versions ferry writes and reads.
const (
	V382 Version = "3.8.2"
	V41  Version = "4.1"
	V411 Version = "4.1.1"
	V42  Version = "4.2"
	V43  Version = "4.3"
	V431 Version = "4.3.1"
	V432 Version = "4.3.2"
)

// Versions lists every supported version, oldest first.
var Versions = []Version{V382, V41, V411, V42, V43, V431, V432}

// ParseVersion accepts "4.3", "43" or "ern/43" and returns the Version.
func ParseVersion(s string) (Version, error) {
	for _, v := range Versions {
		if s == string(v) || s == v.Dir() || s == "ern/"+v.Dir() {
			return v, nil
		}
	}
	return "", fmt.Errorf("unknown ERN version %q (want one of 3.8.2, 4.1, 4.1.1, 4.2, 4.3, 4.3.1, 4.3.2)", s)
}

// Dir is the version without dots, as in its namespace and in the DDEX
// schema folders: "43" for 4.3.
func (v Version) Dir() string {
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] != '.' {
			out = append(out, v[i])
		}
	}
	return string(out)
}

// Namespace is the version's XML namespace.
func (v Version) Namespace() string { return "http://ddex.net/xml/ern/" + v.Dir() }

// HasProvidedFlag reports whether the version can say that a file listed
// in the message is not part of this delivery (IsProvidedInDelivery, 4.2
// and later). Without it an update must send every file it lists.
func (v Version) HasProvidedFlag() bool { return featureTable[v].providedFlag }

// HasDealWord reports whether word is in the version's commercial model
// or use type list (AsPerContract is, in 3.8.2 to 4.1.1).
func (v Version) HasDealWord(word string) bool {
	f, ok := featureTable[v]
	return ok && (f.vocab.commercial[word] || f.vocab.use[word])
}
