package storage

import "time"

// CloudWatch dashboards are global per account, not regional ("All dashboards in your account
// are global, not region-specific", API Reference, PutDashboard): their keys are the names alone.

// DashboardRecord is a dashboard as PutDashboard stored it; Body is kept byte for byte, as
// GetDashboard returns it.
type DashboardRecord struct {
	V            int       `json:"v"`
	Name         string    `json:"name"`
	Body         string    `json:"body"`
	LastModified time.Time `json:"modified"`
	Tags         []Tag     `json:"tags,omitempty"`
}

// Dashboards are keyed by dashboard name.
func Dashboards(tx *Tx) Table[DashboardRecord] {
	return AccountTable[DashboardRecord](tx, "cloudwatch.dashboards")
}
