package storage_test

import (
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// Dashboards and composite alarms are ordinary account tables: they travel in state files and
// come back from a restore like every other.
func TestDashboardAndCompositeAlarmTables(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	db := storagetest.Open(t)
	err := db.Update(acct, func(tx *storage.Tx) error {
		if err := storage.Dashboards(tx).Put("ops", storage.DashboardRecord{V: 1, Name: "ops", Body: `{"widgets":[]}`, LastModified: at}); err != nil {
			return err
		}
		return storage.CompositeAlarms(tx).Put(storage.Join(region, "c"), storage.CompositeAlarmRecord{V: 1, Name: "c", Rule: "TRUE", Created: at, ConfigUpdated: at})
	})
	if err != nil {
		t.Fatal(err)
	}
	dst := restoreState(t, stateHolds(t, db, "cloudwatch.dashboards", "cloudwatch.composite"))
	err = dst.View(acct, func(tx *storage.Tx) error {
		d, err := storage.Dashboards(tx).Get("ops")
		if err == nil && (d.Body != `{"widgets":[]}` || !d.LastModified.Equal(at)) {
			t.Errorf("restored dashboard %+v", d)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
