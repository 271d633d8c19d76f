package storage_test

import (
	"encoding/json"
	"testing"

	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// A layer reference written before it kept its layer's code key still reads (no key), and a
// package a function version of another account refers to as a layer counts as in use in the
// layer's account.
func TestLambdaLayerRefCodeInUse(t *testing.T) {
	t.Parallel()
	var old storage.LambdaVersionRecord
	if err := json.Unmarshal([]byte(`{"v":1,"version":"$LATEST","layers":[{"arn":"arn:aws:lambda:us-east-1:222222222222:layer:l:1","size":3}]}`), &old); err != nil {
		t.Fatal(err)
	}
	if len(old.Layers) != 1 || old.Layers[0].CodeKey != "" || old.Layers[0].Owner() != "222222222222" {
		t.Fatalf("old reference = %+v", old.Layers)
	}
	db := storagetest.Open(t)
	ref := storage.LambdaLayerRef{ARN: "arn:aws:lambda:us-east-1:222222222222:layer:l:1", CodeSize: 3, CodeKey: "abc"}
	if err := db.UpdateRegion("111111111111", "us-east-1", func(tx *storage.Tx) error {
		if err := storage.LambdaFunctions(tx).Put("f", storage.LambdaFunctionRecord{V: 1, Name: "f"}); err != nil {
			return err
		}
		return storage.LambdaVersions(tx, "f").Put("$LATEST", storage.LambdaVersionRecord{V: 1, Version: "$LATEST", CodeKey: "fn", Layers: []storage.LambdaLayerRef{ref}})
	}); err != nil {
		t.Fatal(err)
	}
	check := func(account, key string, want bool) {
		t.Helper()
		if err := db.ViewRegion(account, "us-east-1", func(tx *storage.Tx) error {
			got, err := storage.LambdaCodeInUse(tx, key)
			if got != want {
				t.Errorf("%s: LambdaCodeInUse(%s) = %v, want %v", account, key, got, want)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	check("222222222222", "abc", true)
	check("111111111111", "abc", false) // the reference names the other account's package
	check("111111111111", "fn", true)
	check("222222222222", "fn", false)
	check("333333333333", "abc", false)
}
