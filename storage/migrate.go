package storage

import (
	"errors"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// migrations[v] upgrades a database of schema version v to v+1. Open runs the ones a database
// needs, in the transaction that checks its version, so an upgrade happens whole or not at all.
var migrations = map[int]func(btx *bolt.Tx) error{
	// Version 2 adds the IAM indexes (iamindex.go): records and their buckets are unchanged.
	1: buildIAMIndexes,
}

// migrate brings a database at version v up to SchemaVersion, or refuses a version this build
// cannot read.
func migrate(btx *bolt.Tx, meta *bolt.Bucket, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > SchemaVersion {
		return fmt.Errorf("storage: data format version %s, this build reads %d", v, SchemaVersion)
	}
	for ; n < SchemaVersion; n++ {
		step, ok := migrations[n]
		if !ok {
			return fmt.Errorf("storage: data format version %d, this build reads %d and cannot upgrade it", n, SchemaVersion)
		}
		if err := step(btx); err != nil {
			return fmt.Errorf("storage: upgrade from data format version %d: %w", n, err)
		}
	}
	return meta.Put(keySchema, []byte(fmt.Sprint(SchemaVersion)))
}

// buildIAMIndexes writes the index entries of every indexed IAM record of every account.
func buildIAMIndexes(btx *bolt.Tx) error {
	var accounts []string
	if err := btx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
		if v == nil {
			accounts = append(accounts, string(k))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, acct := range accounts {
		tx := &Tx{btx: btx, account: acct, writable: true}
		err := errors.Join(
			Users(tx).rebuildIndexes(), Roles(tx).rebuildIndexes(), Attachments(tx).rebuildIndexes(),
			Policies(tx).rebuildIndexes(), MFADevices(tx).rebuildIndexes(), InstanceProfiles(tx).rebuildIndexes(),
		)
		if err != nil {
			return err
		}
	}
	return AccessKeys(&Tx{btx: btx, writable: true}).rebuildIndexes()
}
