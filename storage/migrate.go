package storage

import (
	"errors"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// migrations[v] upgrades a database of schema version v to v+1. Open runs the ones a database
// needs, in the transaction that checks its version, so an upgrade happens whole or not at all.
var migrations = map[int]func(btx *bolt.Tx, up *upgrade) error{
	// Version 2 adds the IAM indexes (iamindex.go): records and their buckets are unchanged.
	1: buildIAMIndexes,
	// Version 3 keeps Lambda's state per region (region.go).
	2: moveLambdaIntoRegion,
}

// upgrade is what the steps of one Open share: the region version-2 state moves into, and the
// notes Open hands back (DB.Upgraded) for the server to log.
type upgrade struct {
	region string
	notes  []string
}

// defaultUpgradeRegion is where region-less state goes when Options.Region is empty: the
// server's default region, the one such a database was written through unless configured.
const defaultUpgradeRegion = "us-east-1"

// migrate brings a database at version v up to SchemaVersion, or refuses a version this build
// cannot read. It returns what it changed, one note per step that changed something.
func migrate(btx *bolt.Tx, meta *bolt.Bucket, v, region string) ([]string, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > SchemaVersion {
		return nil, fmt.Errorf("storage: data format version %s, this build reads %d", v, SchemaVersion)
	}
	if region == "" {
		region = defaultUpgradeRegion
	}
	up := &upgrade{region: region}
	for ; n < SchemaVersion; n++ {
		step, ok := migrations[n]
		if !ok {
			return nil, fmt.Errorf("storage: data format version %d, this build reads %d and cannot upgrade it", n, SchemaVersion)
		}
		if err := step(btx, up); err != nil {
			return nil, fmt.Errorf("storage: upgrade from data format version %d: %w", n, err)
		}
	}
	return up.notes, meta.Put(keySchema, []byte(fmt.Sprint(SchemaVersion)))
}

// Upgraded says what Open changed to bring an older database up to SchemaVersion (nothing
// for a current or new one), one sentence each.
func (db *DB) Upgraded() []string { return append([]string(nil), db.upgraded...) }

// accountIDs lists the accounts that have a bucket.
func accountIDs(btx *bolt.Tx) ([]string, error) {
	var accounts []string
	err := btx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
		if v == nil {
			accounts = append(accounts, string(k))
		}
		return nil
	})
	return accounts, err
}

// buildIAMIndexes writes the index entries of every indexed IAM record of every account.
func buildIAMIndexes(btx *bolt.Tx, _ *upgrade) error {
	accounts, err := accountIDs(btx)
	if err != nil {
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

// moveLambdaIntoRegion moves every account's Lambda buckets, which version 2 kept account-wide
// (accounts/<account>/lambda.*), under accounts/<account>/regions/<region>/, the region the
// upgrade names: the server answered every region's requests from that state, and ARNs of the
// region it ran in. Whole buckets move (bbolt's MoveBucket), so the version and layer sequences
// go with them. CloudWatch Logs and CloudWatch records need no move: their keys always started
// with the region they were written in.
func moveLambdaIntoRegion(btx *bolt.Tx, up *upgrade) error {
	accounts, err := accountIDs(btx)
	if err != nil {
		return err
	}
	moved := 0
	for _, acct := range accounts {
		src := btx.Bucket(bucketAccounts).Bucket([]byte(acct))
		var dst *bolt.Bucket
		for _, name := range lambdaBuckets {
			if src.Bucket([]byte(name)) == nil {
				continue
			}
			if dst == nil {
				regions, err := src.CreateBucketIfNotExists([]byte(bucketRegions))
				if err != nil {
					return err
				}
				if dst, err = regions.CreateBucketIfNotExists([]byte(up.region)); err != nil {
					return err
				}
				moved++
			}
			if err := btx.MoveBucket([]byte(name), src, dst); err != nil {
				return fmt.Errorf("move %s of account %s into %s: %w", name, acct, up.region, err)
			}
		}
	}
	if moved > 0 {
		up.notes = append(up.notes, fmt.Sprintf("moved the Lambda state of %d account(s) into region %s (data format version 3 keeps it per region)", moved, up.region))
	}
	return nil
}
