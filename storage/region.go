package storage

import (
	"errors"
	"fmt"
)

// Regional state. A regional service's resources belong to an account and a Region, as on AWS,
// where each Region's endpoint has its own functions and layers ("Quotas for concurrent
// executions and storage apply per AWS Region", Lambda Developer Guide, "Lambda quotas").
// Regional tables (every Lambda table) live under accounts/<account>/regions/<region>/ and are
// reached only through a transaction that names its region (UpdateRegion, ViewRegion,
// Tx.InRegion); IAM and STS tables stay account-wide. CloudWatch Logs and CloudWatch keep
// account tables whose keys start with the region (logs.go, cloudwatch.go).

const bucketRegions = "regions"

// ErrNoRegion is the error of a regional transaction asked for without a region.
var ErrNoRegion = errors.New("storage: regional transaction without a region")

// UpdateRegion runs fn in a read-write transaction scoped to account and region: regional
// tables read and write that region's state, account tables the account's. It counts in
// Generation(account) as Update does.
func (db *DB) UpdateRegion(account, region string, fn func(*Tx) error) error {
	if region == "" {
		return fmt.Errorf("%w (account %s)", ErrNoRegion, account)
	}
	return db.update(account, region, fn)
}

// ViewRegion runs fn in a read-only transaction scoped to account and region.
func (db *DB) ViewRegion(account, region string, fn func(*Tx) error) error {
	if region == "" {
		return fmt.Errorf("%w (account %s)", ErrNoRegion, account)
	}
	return db.view(account, region, fn)
}

// Region is the region the transaction is scoped to, "" for an account-wide one.
func (tx *Tx) Region() string { return tx.region }

// InRegion returns a view of the same transaction scoped to the same account in region: the
// authorizer's account-wide transaction reads a function's policy in the region its ARN names.
func (tx *Tx) InRegion(region string) *Tx {
	return &Tx{btx: tx.btx, memos: tx.memos, account: tx.account, region: region, writable: tx.writable}
}

// RegionTable returns the table named name in the transaction's account and region.
func RegionTable[T any](tx *Tx, name string) Table[T] {
	return Table[T]{tx: tx, root: bucketAccounts, path: tx.regionPath(name)}
}

// regionPath is the bucket path of a regional table under the accounts bucket. A regional
// table asked of an account-wide transaction panics: that is a caller's bug (the handler forgot
// its region), and any answer (empty, or the account's) would hide it. Requests never reach
// it: UpdateRegion and ViewRegion refuse an empty region with an error.
func (tx *Tx) regionPath(names ...string) []string {
	if tx.region == "" {
		panic(fmt.Sprintf("storage: regional table %v used in a transaction of account %s without a region", names, tx.account))
	}
	return append([]string{tx.account, bucketRegions, tx.region}, names...)
}
