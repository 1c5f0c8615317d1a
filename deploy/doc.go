// Package deploy holds what runs ferry in production: the systemd unit,
// the container image and compose stack, the Grafana dashboard and the
// Prometheus alerting rules. It has no code; its tests check those files:
// promtool on the rules, systemd-analyze on the unit, and that every
// metric the dashboard and the rules query is one ferry exports.
package deploy
