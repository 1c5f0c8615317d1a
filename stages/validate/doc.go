// Package validate loads a release folder (release.toml, or an ERN message
// in its place) and checks it: identifiers, files, audio and artwork
// headers, metadata and deals, every problem at once, each with the rule
// that raised it and what to do. It never changes the folder.
package validate
