// Package logs emulates Amazon CloudWatch Logs: log groups and streams, event ingestion and
// retrieval, retention and tags, per account and region (CloudWatch Logs API Reference). It also
// gives the Lambda executor a Sink to write function output into, as Lambda does.
package logs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Options configure the service.
type Options struct {
	DB    *storage.DB
	Clock func() time.Time
	// Region is the region of calls that carry none: requests without a region in their
	// context (direct Go calls) and Sink writes without one.
	Region string
	Logger *slog.Logger
	// Partition names resources when the request context carries none; default aws.
	Partition string
	// Metrics receives the data metric filters publish from the events of one PutLogEvents
	// call or sink write, in the group's account and region, after its transaction commits
	// (metricfilters.go); nil publishes nothing.
	Metrics func(account, region string, points []MetricPoint)
	// IDs makes the ids of saved queries; default crypto.
	IDs ids.Generator
	// Invoke queues a subscription filter's payload for its Lambda function
	// (subscriptiondelivery.go); nil refuses Lambda destinations.
	Invoke func(LambdaDelivery) error
}

// Service implements logsapi.Handler; operations it does not emulate answer NotImplemented.
type Service struct {
	logsapi.Unimplemented
	opts       Options
	deliveries *deliverer // nil without Options.Invoke
	patterns   patterns   // the metric and subscription filters' compiled patterns
}

var _ logsapi.Handler = (*Service)(nil)

// New returns the service.
func New(opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Partition == "" {
		opts.Partition = arn.DefaultPartition
	}
	if opts.IDs.Src == nil {
		opts.IDs = ids.Generator{Src: ids.Crypto{}}
	}
	s := &Service{opts: opts}
	if opts.Invoke != nil {
		s.deliveries = newDeliverer(s)
	}
	return s
}

// Close stops delivering to subscribed functions; events not yet handed to Lambda are lost,
// as AWS gives no delivery guarantee beyond its own retries.
func (s *Service) Close() {
	if s.deliveries != nil {
		s.deliveries.close()
	}
}

// AWS's texts for missing resources (API Reference, Errors of each operation).
func groupNotFound() error {
	return logsapi.ErrResourceNotFound("The specified log group does not exist.")
}

func streamNotFound() error {
	return logsapi.ErrResourceNotFound("The specified log stream does not exist.")
}

type call struct {
	account, region, partition string
	now                        time.Time
}

// scope is where the caller's resources are named.
func (c call) scope() arn.Scope {
	return arn.Scope{Partition: c.partition, Region: c.region, Account: c.account}
}

func (s *Service) call(ctx context.Context) call {
	info := reqctx.From(ctx)
	c := call{account: info.Caller.Account, region: info.Region, partition: info.Partition, now: info.Now}
	if c.region == "" {
		c.region = s.opts.Region
	}
	if c.partition == "" {
		c.partition = s.opts.Partition
	}
	if c.now.IsZero() {
		c.now = s.opts.Clock()
	}
	return c
}

// groupName resolves logGroupName or logGroupIdentifier (a name or an ARN, with or without
// the trailing ":*"); the API takes one or the other.
func groupName(name, identifier *string) (string, error) {
	n, id := protocol.Val(name), protocol.Val(identifier)
	switch {
	case n != "" && id != "":
		return "", logsapi.ErrInvalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case n != "":
		return n, nil
	case id != "":
		return arn.LogGroupOf(id), nil
	}
	return "", logsapi.ErrInvalidParameter("Should provide either logGroupName or logGroupIdentifier.")
}

func (s *Service) CreateLogGroup(ctx context.Context, in *logsapi.CreateLogGroupRequest) (*logsapi.Empty, error) {
	c := s.call(ctx)
	name := protocol.Val(in.LogGroupName)
	class := protocol.Val(in.LogGroupClass)
	if class == "" {
		class = "STANDARD"
	}
	rec := storage.LogGroupRecord{Name: name, Created: c.now.UnixMilli(), Class: class, KmsKeyID: protocol.Val(in.KmsKeyId),
		DeletionProtected: protocol.Val(in.DeletionProtectionEnabled)}
	if len(in.Tags) > 0 {
		rec.Tags = in.Tags
	}
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		return storage.LogGroups(tx).Insert(storage.LogGroupKey(c.region, name), rec)
	})
	if errors.Is(err, storage.ErrExists) {
		return nil, logsapi.ErrResourceAlreadyExists("The specified log group already exists")
	}
	return &logsapi.Empty{}, err
}

func (s *Service) DeleteLogGroup(ctx context.Context, in *logsapi.DeleteLogGroupRequest) (*logsapi.Empty, error) {
	c := s.call(ctx)
	name := protocol.Val(in.LogGroupName)
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		groups := storage.LogGroups(tx)
		if g, err := groups.Get(storage.LogGroupKey(c.region, name)); err == nil && g.DeletionProtected {
			return errDeletionProtected()
		}
		if err := groups.Delete(storage.LogGroupKey(c.region, name)); err != nil {
			return err
		}
		prefix := storage.LogStreamKey(c.region, name, "")
		if err := storage.LogStreams(tx).DeletePrefix(prefix); err != nil {
			return err
		}
		if err := storage.LogMetricFilters(tx).DeletePrefix(storage.LogMetricFilterKey(c.region, name, "")); err != nil {
			return err
		}
		if err := storage.LogSubscriptions(tx).DeletePrefix(storage.LogSubscriptionKey(c.region, name, "")); err != nil {
			return err
		}
		return storage.LogEvents(tx).DeletePrefix(prefix)
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, groupNotFound()
	}
	return &logsapi.Empty{}, err
}

// DescribeLogGroups lists the region's groups in name order: by prefix or by pattern (a
// substring), never both, each case-sensitive; limit 1-50, default 50. With a pattern a group
// is only its arn, creationTime and logGroupName ("If you specify logGroupNamePattern in your
// request, then only arn, creationTime, and logGroupName are included in the response", API
// Reference; confirmed by the service team in aws/aws-sdk#608).
func (s *Service) DescribeLogGroups(ctx context.Context, in *logsapi.DescribeLogGroupsRequest) (*logsapi.DescribeLogGroupsResponse, error) {
	c := s.call(ctx)
	prefix, pattern := protocol.Val(in.LogGroupNamePrefix), protocol.Val(in.LogGroupNamePattern)
	if prefix != "" && pattern != "" {
		return nil, logsapi.ErrInvalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	limit := limitOr(in.Limit, 50)
	after, err := decodeToken(protocol.Val(in.NextToken))
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, id := range in.LogGroupIdentifiers {
		ids[arn.LogGroupOf(id)] = true
	}
	keep := func(g storage.LogGroupRecord) bool {
		return (pattern == "" || strings.Contains(g.Name, pattern)) && (len(ids) == 0 || ids[g.Name]) &&
			(in.LogGroupClass == nil || *in.LogGroupClass == g.Class)
	}
	out := &logsapi.DescribeLogGroupsResponse{LogGroups: []logsapi.LogGroup{}}
	err = s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		var err error
		out.NextToken, err = groupPage(tx, c.region, prefix, after, limit, keep, func(g storage.LogGroupRecord) {
			if pattern != "" {
				out.LogGroups = append(out.LogGroups, logsapi.LogGroup{LogGroupName: protocol.Ptr(g.Name),
					CreationTime: protocol.Ptr(g.Created), Arn: protocol.Ptr(c.scope().LogGroupWildcard(g.Name).String())})
				return
			}
			filters := storage.LogMetricFilters(tx).Count(storage.LogMetricFilterKey(c.region, g.Name, ""))
			out.LogGroups = append(out.LogGroups, c.logGroup(g, filters))
		})
		return err
	})
	return out, err
}

// groupPage walks the region's groups named with prefix in name order, from after (the name a
// page token carries) on, and adds those keep accepts until limit are added; the token of the
// next page, when another group would follow, names the last one added.
func groupPage(tx *storage.Tx, region, prefix, after string, limit int, keep func(storage.LogGroupRecord) bool,
	add func(storage.LogGroupRecord)) (*string, error) {
	start := storage.LogGroupKey(region, prefix)
	if after != "" {
		start = storage.LogGroupKey(region, after) + "\x00"
	}
	added, last := 0, ""
	var next *string
	err := storage.LogGroups(tx).ScanRange(start, storage.Join(region, "\xff"), false, func(_ string, g storage.LogGroupRecord) (bool, error) {
		switch {
		case !strings.HasPrefix(g.Name, prefix):
			return false, nil
		case !keep(g):
			return true, nil
		case added == limit:
			next = protocol.Ptr(encodeToken(last))
			return false, nil
		}
		add(g)
		added, last = added+1, g.Name
		return true, nil
	})
	return next, err
}

func (c call) logGroup(g storage.LogGroupRecord, metricFilters int) logsapi.LogGroup {
	lg := logsapi.LogGroup{LogGroupName: protocol.Ptr(g.Name), CreationTime: protocol.Ptr(g.Created),
		MetricFilterCount: protocol.Ptr(int32(metricFilters)), Arn: protocol.Ptr(c.scope().LogGroupWildcard(g.Name).String()),
		LogGroupArn: protocol.Ptr(c.scope().LogGroup(g.Name).String()), StoredBytes: protocol.Ptr(g.StoredBytes),
		LogGroupClass: protocol.Ptr(g.Class), DeletionProtectionEnabled: protocol.Ptr(g.DeletionProtected)}
	if g.RetentionDays != 0 {
		lg.RetentionInDays = protocol.Ptr(g.RetentionDays)
	}
	if g.KmsKeyID != "" {
		lg.KmsKeyId = protocol.Ptr(g.KmsKeyID)
	}
	return lg
}

// retentionDays are the values PutRetentionPolicy accepts (API Reference, retentionInDays).
var retentionDays = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

func (s *Service) PutRetentionPolicy(ctx context.Context, in *logsapi.PutRetentionPolicyRequest) (*logsapi.Empty, error) {
	days := protocol.Val(in.RetentionInDays)
	ok := false
	for _, d := range retentionDays {
		ok = ok || d == days
	}
	if !ok {
		set := make([]string, len(retentionDays))
		for i, d := range retentionDays {
			set[i] = fmt.Sprint(d)
		}
		return nil, logsapi.ErrInvalidParameter("1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
			days, strings.Join(set, ", "))
	}
	return &logsapi.Empty{}, s.updateGroup(ctx, protocol.Val(in.LogGroupName), func(g *storage.LogGroupRecord) { g.RetentionDays = days })
}

func (s *Service) DeleteRetentionPolicy(ctx context.Context, in *logsapi.DeleteRetentionPolicyRequest) (*logsapi.Empty, error) {
	return &logsapi.Empty{}, s.updateGroup(ctx, protocol.Val(in.LogGroupName), func(g *storage.LogGroupRecord) { g.RetentionDays = 0 })
}

// PutLogGroupDeletionProtection turns a group's deletion protection on or off (CreateLogGroup's
// deletionProtectionEnabled sets it at creation). A protected group refuses DeleteLogGroup
// until it is turned off ("Protecting log groups from deletion", CloudWatch Logs User Guide).
func (s *Service) PutLogGroupDeletionProtection(ctx context.Context, in *logsapi.PutLogGroupDeletionProtectionRequest) (*logsapi.Empty, error) {
	on := protocol.Val(in.DeletionProtectionEnabled)
	return &logsapi.Empty{}, s.updateGroup(ctx, arn.LogGroupOf(protocol.Val(in.LogGroupIdentifier)),
		func(g *storage.LogGroupRecord) { g.DeletionProtected = on })
}

// errDeletionProtected is the guide's answer to deleting a protected group.
func errDeletionProtected() error {
	return logsapi.ErrValidation("Cannot delete log group with deletion protection enabled. Disable deletion protection first.")
}

// updateGroup changes one group in one transaction; a missing group is ResourceNotFound.
func (s *Service) updateGroup(ctx context.Context, name string, change func(*storage.LogGroupRecord)) error {
	c := s.call(ctx)
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		key := storage.LogGroupKey(c.region, name)
		g, err := storage.LogGroups(tx).Get(key)
		if err != nil {
			return err
		}
		change(&g)
		return storage.LogGroups(tx).Put(key, g)
	})
	if errors.Is(err, storage.ErrNotFound) {
		return groupNotFound()
	}
	return err
}

func (s *Service) CreateLogStream(ctx context.Context, in *logsapi.CreateLogStreamRequest) (*logsapi.Empty, error) {
	c := s.call(ctx)
	group, stream := protocol.Val(in.LogGroupName), protocol.Val(in.LogStreamName)
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		if !storage.LogGroups(tx).Has(storage.LogGroupKey(c.region, group)) {
			return groupNotFound()
		}
		err := storage.LogStreams(tx).Insert(storage.LogStreamKey(c.region, group, stream),
			storage.LogStreamRecord{Name: stream, Created: c.now.UnixMilli()})
		if errors.Is(err, storage.ErrExists) {
			return logsapi.ErrResourceAlreadyExists("The specified log stream already exists")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.Empty{}, nil
}

func (s *Service) DeleteLogStream(ctx context.Context, in *logsapi.DeleteLogStreamRequest) (*logsapi.Empty, error) {
	c := s.call(ctx)
	group, stream := protocol.Val(in.LogGroupName), protocol.Val(in.LogStreamName)
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		if !storage.LogGroups(tx).Has(storage.LogGroupKey(c.region, group)) {
			return groupNotFound()
		}
		key := storage.LogStreamKey(c.region, group, stream)
		if err := storage.LogStreams(tx).Delete(key); errors.Is(err, storage.ErrNotFound) {
			return streamNotFound()
		} else if err != nil {
			return err
		}
		return storage.LogEvents(tx).DeletePrefix(key + "\x00")
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.Empty{}, nil
}

// DescribeLogStreams lists a group's streams by name (prefix allowed) or by last event time
// (no prefix allowed), ascending unless descending; limit 1-50, default 50.
func (s *Service) DescribeLogStreams(ctx context.Context, in *logsapi.DescribeLogStreamsRequest) (*logsapi.DescribeLogStreamsResponse, error) {
	c := s.call(ctx)
	group, err := groupName(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	prefix, orderBy := protocol.Val(in.LogStreamNamePrefix), protocol.Val(in.OrderBy)
	if orderBy == "LastEventTime" && prefix != "" {
		return nil, logsapi.ErrInvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	limit := limitOr(in.Limit, 50)
	offset, err := decodeOffset(protocol.Val(in.NextToken))
	if err != nil {
		return nil, err
	}
	var streams []storage.LogStreamRecord
	err = s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		if !storage.LogGroups(tx).Has(storage.LogGroupKey(c.region, group)) {
			return groupNotFound()
		}
		return storage.LogStreams(tx).Scan(storage.LogStreamKey(c.region, group, prefix), func(_ string, r storage.LogStreamRecord) error {
			streams = append(streams, r)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	if orderBy == "LastEventTime" {
		sort.SliceStable(streams, func(i, j int) bool { return streams[i].LastEvent < streams[j].LastEvent })
	}
	if protocol.Val(in.Descending) {
		for i, j := 0, len(streams)-1; i < j; i, j = i+1, j-1 {
			streams[i], streams[j] = streams[j], streams[i]
		}
	}
	out := &logsapi.DescribeLogStreamsResponse{}
	out.LogStreams, out.NextToken = offsetPage(streams, offset, limit, func(r storage.LogStreamRecord) logsapi.LogStream {
		return c.logStream(group, r)
	})
	return out, nil
}

func (c call) logStream(group string, r storage.LogStreamRecord) logsapi.LogStream {
	ls := logsapi.LogStream{LogStreamName: protocol.Ptr(r.Name), CreationTime: protocol.Ptr(r.Created),
		Arn: protocol.Ptr(c.scope().LogStream(group, r.Name).String()), StoredBytes: protocol.Ptr(int64(0))}
	if r.HasEvents {
		ls.FirstEventTimestamp, ls.LastEventTimestamp = protocol.Ptr(r.FirstEvent), protocol.Ptr(r.LastEvent)
		ls.LastIngestionTime = protocol.Ptr(r.LastIngestion)
		ls.UploadSequenceToken = protocol.Ptr(sequenceToken(uint64(r.LastIngestion)))
	}
	return ls
}
