package storage_test

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// A function's queued events come back in the order they were accepted, survive closing and
// reopening the file, are listed per account and Region for the server to resume, and go with
// their function.
func TestLambdaAsyncEvents(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "iamlocal.db")
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	queue := func(account, region, function string, payloads ...string) {
		t.Helper()
		err := db.UpdateRegion(account, region, func(tx *storage.Tx) error {
			events := storage.LambdaAsyncEvents(tx, function)
			for _, p := range payloads {
				seq, err := events.NextSequence()
				if err != nil {
					return err
				}
				if err := events.Put(storage.LambdaAsyncEventKey(seq), storage.LambdaAsyncEventRecord{V: 1, RequestID: p, Payload: []byte(p), Received: at, NextAt: at}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 12; i++ { // past 9, where unpadded keys would sort out of order
		queue("111111111111", "us-east-1", "f", string(rune('a'+i)))
	}
	queue("111111111111", "eu-west-1", "g", "x")
	queue("222222222222", "us-east-1", "f", "y")
	if err := db.UpdateRegion("222222222222", "us-east-1", func(tx *storage.Tx) error {
		return storage.LambdaProvisioned(tx, "p").Put("1", storage.LambdaProvisionedRecord{V: 1, Qualifier: "1", Requested: 2})
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = storage.Open(path, storage.Options{}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	var order string
	err = db.ViewRegion("111111111111", "us-east-1", func(tx *storage.Tx) error {
		return storage.LambdaAsyncEvents(tx, "f").Scan("", func(_ string, r storage.LambdaAsyncEventRecord) error {
			order += string(r.Payload)
			if !r.Received.Equal(at) {
				return errors.New("received time lost")
			}
			return nil
		})
	})
	if err != nil || order != "abcdefghijkl" {
		t.Fatalf("order %q, %v", order, err)
	}
	for _, tc := range []struct {
		name string
		list func() ([]storage.LambdaFunctionRef, error)
		want []storage.LambdaFunctionRef
	}{
		{"async", db.LambdaFunctionsWithAsyncEvents, []storage.LambdaFunctionRef{
			{Account: "111111111111", Region: "eu-west-1", Function: "g"},
			{Account: "111111111111", Region: "us-east-1", Function: "f"},
			{Account: "222222222222", Region: "us-east-1", Function: "f"}}},
		{"provisioned", db.LambdaFunctionsWithProvisioned, []storage.LambdaFunctionRef{
			{Account: "222222222222", Region: "us-east-1", Function: "p"}}},
	} {
		got, err := tc.list()
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, %v", tc.name, got, err)
		}
	}
	if err := db.UpdateRegion("111111111111", "us-east-1", func(tx *storage.Tx) error {
		if err := storage.LambdaFunctions(tx).Put("f", storage.LambdaFunctionRecord{V: 1, Name: "f"}); err != nil {
			return err
		}
		return storage.DeleteLambdaFunction(tx, "f")
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.LambdaFunctionsWithAsyncEvents(); len(got) != 2 {
		t.Errorf("after deleting the function: %+v", got)
	}
}

// An empty queue is not listed.
func TestLambdaAsyncEmptyQueue(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	err := db.UpdateRegion("111111111111", "us-east-1", func(tx *storage.Tx) error {
		events := storage.LambdaAsyncEvents(tx, "f")
		if err := events.Put(storage.LambdaAsyncEventKey(1), storage.LambdaAsyncEventRecord{V: 1}); err != nil {
			return err
		}
		return events.Delete(storage.LambdaAsyncEventKey(1))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := db.LambdaFunctionsWithAsyncEvents(); err != nil || len(got) != 0 {
		t.Errorf("%+v, %v", got, err)
	}
}
