package identifiers

import "github.com/ferrydelivery/ferry/config"

// FromConfig opens what a configuration asks for: the allocator of its
// root when [identifiers] has blocks (nil otherwise), and the artist
// registry when identifiers.artists names one (nil otherwise). The
// daemon opens them once and hands them to every validation.
func FromConfig(cfg *config.Config) (*Allocator, *Artists, error) {
	var a *Allocator
	if cfg.Identifiers.Enabled() {
		var err error
		if a, err = Open(cfg.Root, &cfg.Identifiers, Options{Node: cfg.Node}); err != nil {
			return nil, nil, err
		}
	}
	if cfg.Identifiers.Artists == "" {
		return a, nil, nil
	}
	reg, err := LoadArtists(cfg.Identifiers.Artists)
	if err != nil {
		if a != nil {
			a.Close()
		}
		return nil, nil, err
	}
	return a, reg, nil
}
