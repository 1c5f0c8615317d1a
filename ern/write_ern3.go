package ern

import "github.com/beevik/etree"

// ERN 3.8.2 layout: not written yet.
func (w *writer) ern3UpdateIndicator(root *etree.Element) {}
func (w *writer) ern3Resources(root *etree.Element)       {}
func (w *writer) ern3Releases(root *etree.Element)        {}
func (w *writer) ern3Deals(root *etree.Element)           {}
func (w *writer) ern3PurgedRelease(root *etree.Element)   {}
