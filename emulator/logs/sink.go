package logs

import (
	"errors"
	"fmt"
	"time"

	"github.com/iamlocal/iamlocal/storage"
)

// Sink receives the output of Lambda functions. Write appends one line to the log group and
// stream of account in region, the function's (Lambda writes a function's logs in its own
// Region), creating both on demand as Lambda does (its execution role's logs:CreateLogGroup
// and logs:CreateLogStream are not checked). An empty region is Options.Region. Errors are
// logged.
type Sink interface {
	Write(account, region, group, stream string, t time.Time, line string)
}

// Sink returns the writer the Lambda executor sends function output to.
func (s *Service) Sink() Sink { return sink{s} }

type sink struct{ s *Service }

func (k sink) Write(account, region, group, stream string, t time.Time, line string) {
	if region == "" {
		region = k.s.opts.Region
	}
	if err := k.s.write(account, region, group, stream, t, line); err != nil {
		k.s.opts.Logger.Error("logs sink", "account", account, "region", region, "group", group, "stream", stream, "err", err)
	}
}

func (s *Service) write(account, region, group, stream string, t time.Time, line string) error {
	now := s.opts.Clock().UnixMilli()
	var points []MetricPoint // published once the line is stored
	sub := ingested{account: account, region: region, partition: s.opts.Partition, group: group, stream: stream}
	err := s.opts.DB.Update(account, func(tx *storage.Tx) error {
		gk := storage.LogGroupKey(region, group)
		if !storage.LogGroups(tx).Has(gk) {
			if err := storage.LogGroups(tx).Put(gk, storage.LogGroupRecord{Name: group, Created: now, Class: "STANDARD"}); err != nil {
				return err
			}
		}
		sk := storage.LogStreamKey(region, group, stream)
		st, err := storage.LogStreams(tx).Get(sk)
		if errors.Is(err, storage.ErrNotFound) {
			st = storage.LogStreamRecord{Name: stream, Created: now}
		} else if err != nil {
			return err
		}
		rec, err := appendEvent(tx, region, group, &st, t.UnixMilli(), now, line)
		if err != nil {
			return err
		}
		filters, err := s.loadFilters(tx, region, group)
		if err != nil {
			return err
		}
		points = metricPoints(filters, []ingestedEvent{{t.UnixMilli(), line}})
		if sub.filters, err = lambdaFilters(tx, region, group); err != nil {
			return err
		}
		sub.events = []storage.LogEventRecord{rec}
		return storage.LogStreams(tx).Put(sk, st)
	})
	if err == nil {
		s.publish(account, region, points)
		s.deliver(sub) // after the commit; the deliverer batches the lines of a stream
	}
	return err
}

// LambdaGroup is the log group Lambda writes a function's output to.
func LambdaGroup(function string) string { return "/aws/lambda/" + function }

// LambdaStream is the stream name of one execution environment: the UTC date it started,
// the version in brackets and a 32-hex-digit instance id, "2026/01/02/[$LATEST]0123...".
func LambdaStream(started time.Time, version, instanceID string) string {
	return fmt.Sprintf("%s/[%s]%s", started.UTC().Format("2006/01/02"), version, instanceID)
}
