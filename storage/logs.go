package storage

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The CloudWatch Logs records. Log groups are regional, so every key starts with the region;
// group and stream names never contain \x00 (their patterns exclude it), so Join keys keep
// prefix scans exact. Events are keyed by stream, then by timestamp and an ingestion sequence
// in fixed-width hex, so a cursor walks a stream in time order.

// LogGroupRecord is one log group.
type LogGroupRecord struct {
	V             int               `json:"v"`
	Name          string            `json:"name"`
	Created       int64             `json:"created"` // ms since the epoch, as the API reports it
	RetentionDays int32             `json:"retention,omitempty"`
	Class         string            `json:"class,omitempty"`
	KmsKeyID      string            `json:"kms,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
	StoredBytes   int64             `json:"bytes,omitempty"`
	// DeletionProtected refuses DeleteLogGroup (PutLogGroupDeletionProtection).
	DeletionProtected bool `json:"deletionProtected,omitempty"`
}

// LogStreamRecord is one log stream of a group.
type LogStreamRecord struct {
	V             int    `json:"v"`
	Name          string `json:"name"`
	Created       int64  `json:"created"`
	FirstEvent    int64  `json:"first,omitempty"`
	LastEvent     int64  `json:"last,omitempty"`
	LastIngestion int64  `json:"ingested,omitempty"`
	StoredBytes   int64  `json:"bytes,omitempty"`
	HasEvents     bool   `json:"has,omitempty"`
}

// LogEventRecord is one ingested log event.
type LogEventRecord struct {
	V         int    `json:"v"`
	Timestamp int64  `json:"t"`
	Ingestion int64  `json:"i"`
	Seq       uint64 `json:"s"`
	Message   string `json:"m"`
}

// LogGroups are keyed by LogGroupKey(region, name).
func LogGroups(tx *Tx) Table[LogGroupRecord] { return AccountTable[LogGroupRecord](tx, "logs.groups") }

// LogStreams are keyed by LogStreamKey(region, group, stream).
func LogStreams(tx *Tx) Table[LogStreamRecord] {
	return AccountTable[LogStreamRecord](tx, "logs.streams")
}

// LogEvents are keyed by LogEventKey(region, group, stream, timestamp, seq).
func LogEvents(tx *Tx) Table[LogEventRecord] { return AccountTable[LogEventRecord](tx, "logs.events") }

// LogGroupKey is the key of a group.
func LogGroupKey(region, group string) string { return Join(region, group) }

// LogStreamKey is the key of a stream; LogStreamKey(region, group, "") is the prefix of the
// group's streams.
func LogStreamKey(region, group, stream string) string { return Join(region, group, stream) }

// LogEventKey orders a stream's events by timestamp, then by ingestion. Timestamps are not
// negative in CloudWatch Logs (the model's minimum is 0); a negative one sorts first.
func LogEventKey(region, group, stream string, timestamp int64, seq uint64) string {
	return Join(region, group, stream, EventPosition(timestamp, seq))
}

// EventPosition is the fixed-width tail of an event key.
func EventPosition(timestamp int64, seq uint64) string {
	if timestamp < 0 {
		timestamp = 0
	}
	return fmt.Sprintf("%016x%016x", uint64(timestamp), seq)
}

// ScanRange calls fn for the records whose keys lie in [from, to), ascending, or descending
// when reverse is set; fn returns false to stop. Records are decoded inside the transaction.
func (t Table[T]) ScanRange(from, to string, reverse bool, fn func(key string, v T) (bool, error)) error {
	b, err := t.tx.bucket(t.root, t.path...)
	if err != nil || b == nil {
		return err
	}
	c := b.Cursor()
	visit := func(k, raw []byte) (bool, error) {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return false, fmt.Errorf("storage: decode %s/%s: %w", strings.Join(t.path, "/"), k, err)
		}
		return fn(string(k), v)
	}
	more := true
	if !reverse {
		for k, raw := c.Seek([]byte(from)); more && err == nil && k != nil && string(k) < to; k, raw = c.Next() {
			more, err = visit(k, raw)
		}
		return err
	}
	k, raw := c.Seek([]byte(to))
	if k == nil {
		k, raw = c.Last()
	} else {
		k, raw = c.Prev()
	}
	for ; more && err == nil && k != nil && string(k) >= from; k, raw = c.Prev() {
		if string(k) < to {
			more, err = visit(k, raw)
		}
	}
	return err
}
