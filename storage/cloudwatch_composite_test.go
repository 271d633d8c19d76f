package storage_test

import (
	"bytes"
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
	file := dump(t, db)
	for _, want := range []string{`"accounts/111111111111/cloudwatch.dashboards"`, `"accounts/111111111111/cloudwatch.composite"`} {
		if !bytes.Contains(file, []byte(want)) {
			t.Errorf("state file lacks %s", want)
		}
	}
	snap, err := storage.ReadState(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	dst := storagetest.Open(t)
	if err := dst.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, dst); !bytes.Equal(got, file) {
		t.Errorf("restored state differs:\n%s\nwant\n%s", got, file)
	}
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
