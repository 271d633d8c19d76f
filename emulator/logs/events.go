package logs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// The ingestion windows of PutLogEvents (API Reference, PutLogEvents): no event more than two
// hours in the future or more than 14 days in the past, and no batch spanning more than 24 hours.
const (
	maxFuture = 2 * time.Hour
	maxPast   = 14 * 24 * time.Hour
	maxSpan   = 24 * time.Hour
)

// PutLogEvents appends a batch to a stream. Sequence tokens are ignored, as AWS has ignored
// them since January 2023 (no InvalidSequenceTokenException, no DataAlreadyAcceptedException);
// events outside the windows are rejected and reported in rejectedLogEventsInfo.
func (s *Service) PutLogEvents(ctx context.Context, in *logsapi.PutLogEventsRequest) (*logsapi.PutLogEventsResponse, error) {
	c := s.call(ctx)
	events := in.LogEvents
	for i := 1; i < len(events); i++ {
		if protocol.Val(events[i].Timestamp) < protocol.Val(events[i-1].Timestamp) {
			return nil, logsapi.ErrInvalidParameter("Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	if n := len(events); n > 1 && protocol.Val(events[n-1].Timestamp)-protocol.Val(events[0].Timestamp) > maxSpan.Milliseconds() {
		return nil, logsapi.ErrInvalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	out := &logsapi.PutLogEventsResponse{}
	group, stream := protocol.Val(in.LogGroupName), protocol.Val(in.LogStreamName)
	var points []MetricPoint // published once the batch is stored
	sub := ingested{account: c.account, region: c.region, partition: c.partition, group: group, stream: stream}
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		g, err := storage.LogGroups(tx).Get(storage.LogGroupKey(c.region, group))
		if errors.Is(err, storage.ErrNotFound) {
			return groupNotFound()
		} else if err != nil {
			return err
		}
		st, err := storage.LogStreams(tx).Get(storage.LogStreamKey(c.region, group, stream))
		if errors.Is(err, storage.ErrNotFound) {
			return streamNotFound()
		} else if err != nil {
			return err
		}
		filters, err := s.loadFilters(tx, c.region, group)
		if err != nil {
			return err
		}
		var stored []ingestedEvent
		if sub.filters, err = lambdaFilters(tx, c.region, group); err != nil {
			return err
		}
		now := c.now.UnixMilli()
		tooOld, expired, tooNew := -1, -1, -1
		for i, e := range events {
			ts := protocol.Val(e.Timestamp)
			switch {
			case ts < now-maxPast.Milliseconds():
				tooOld = i
			case g.RetentionDays > 0 && ts < now-int64(g.RetentionDays)*24*3600*1000:
				expired = i
			case ts > now+maxFuture.Milliseconds():
				if tooNew < 0 {
					tooNew = i
				}
			default:
				rec, err := appendEvent(tx, c.region, group, &st, ts, now, protocol.Val(e.Message))
				if err != nil {
					return err
				}
				stored = append(stored, ingestedEvent{ts, protocol.Val(e.Message)})
				if len(sub.filters) > 0 {
					sub.events = append(sub.events, rec)
				}
			}
		}
		if tooOld >= 0 || expired >= 0 || tooNew >= 0 {
			info := &logsapi.RejectedLogEventsInfo{}
			if tooOld >= 0 {
				info.TooOldLogEventEndIndex = protocol.Ptr(int32(tooOld + 1)) // exclusive
			}
			if expired >= 0 {
				info.ExpiredLogEventEndIndex = protocol.Ptr(int32(expired + 1))
			}
			if tooNew >= 0 {
				info.TooNewLogEventStartIndex = protocol.Ptr(int32(tooNew)) // inclusive
			}
			out.RejectedLogEventsInfo = info
		}
		out.NextSequenceToken = protocol.Ptr(sequenceToken(uint64(now)))
		points = metricPoints(filters, stored)
		return storage.LogStreams(tx).Put(storage.LogStreamKey(c.region, group, stream), st)
	})
	if err != nil {
		return nil, err
	}
	s.publish(c.account, c.region, points)
	s.deliver(sub) // after the commit: subscriptions see only stored events
	return out, nil
}

// appendEvent stores one event and advances the stream's first/last timestamps.
func appendEvent(tx *storage.Tx, region, group string, st *storage.LogStreamRecord, ts, now int64, msg string) (storage.LogEventRecord, error) {
	seq, err := storage.LogEvents(tx).NextSequence()
	if err != nil {
		return storage.LogEventRecord{}, err
	}
	rec := storage.LogEventRecord{Timestamp: ts, Ingestion: now, Seq: seq, Message: msg}
	if err := storage.LogEvents(tx).Put(storage.LogEventKey(region, group, st.Name, ts, seq), rec); err != nil {
		return storage.LogEventRecord{}, err
	}
	if !st.HasEvents || ts < st.FirstEvent {
		st.FirstEvent = ts
	}
	if !st.HasEvents || ts > st.LastEvent {
		st.LastEvent = ts
	}
	st.HasEvents, st.LastIngestion = true, now
	return rec, nil
}

// sequenceToken is a 56-digit decimal, the shape of AWS's upload sequence tokens.
func sequenceToken(n uint64) string { return fmt.Sprintf("%056d", n) }

// GetLogEvents reads one stream between startTime (inclusive) and endTime (exclusive). Without
// a token it reads the newest events, or the oldest with startFromHead. nextForwardToken and
// nextBackwardToken ("f/..." and "b/...") continue after the last and before the first event
// returned; at the end of the stream the token passed in comes back unchanged.
func (s *Service) GetLogEvents(ctx context.Context, in *logsapi.GetLogEventsRequest) (*logsapi.GetLogEventsResponse, error) {
	c := s.call(ctx)
	group, err := groupName(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	stream := protocol.Val(in.LogStreamName)
	limit := int(protocol.Val(in.Limit))
	if limit == 0 {
		limit = 10000
	}
	forward, pos := protocol.Val(in.StartFromHead), ""
	if tok := protocol.Val(in.NextToken); tok != "" {
		dir, p, ok := parseCursor(tok)
		if !ok {
			return nil, logsapi.ErrInvalidParameter("The specified nextToken is invalid.")
		}
		forward, pos = dir == 'f', p
	}
	start, end := int64(math.MinInt64), int64(math.MaxInt64)
	if in.StartTime != nil {
		start = *in.StartTime
	}
	if in.EndTime != nil {
		end = *in.EndTime
	}
	base := storage.LogStreamKey(c.region, group, stream) + "\x00"
	var got []storage.LogEventRecord
	err = s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		if !storage.LogGroups(tx).Has(storage.LogGroupKey(c.region, group)) {
			return groupNotFound()
		}
		if !storage.LogStreams(tx).Has(storage.LogStreamKey(c.region, group, stream)) {
			return streamNotFound()
		}
		from, to := base, base+"\xff"
		if pos != "" && forward {
			from = base + pos + "\x00" // strictly after the cursor
		} else if pos != "" {
			to = base + pos
		}
		return storage.LogEvents(tx).ScanRange(from, to, !forward, func(_ string, e storage.LogEventRecord) (bool, error) {
			if e.Timestamp >= start && e.Timestamp < end {
				got = append(got, e)
			}
			return len(got) < limit, nil
		})
	})
	if err != nil {
		return nil, err
	}
	if !forward {
		for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
			got[i], got[j] = got[j], got[i]
		}
	}
	out := &logsapi.GetLogEventsResponse{Events: make([]logsapi.OutputLogEvent, 0, len(got))}
	for _, e := range got {
		out.Events = append(out.Events, logsapi.OutputLogEvent{Timestamp: protocol.Ptr(e.Timestamp),
			Message: protocol.Ptr(e.Message), IngestionTime: protocol.Ptr(e.Ingestion)})
	}
	fwd, back := pos, pos
	if len(got) > 0 {
		fwd = storage.EventPosition(got[len(got)-1].Timestamp, got[len(got)-1].Seq)
		back = storage.EventPosition(got[0].Timestamp, got[0].Seq)
	} else if pos == "" {
		fwd, back = storage.EventPosition(0, 0), storage.EventPosition(0, 0)
		if !forward {
			fwd, back = strings.Repeat("f", 32), strings.Repeat("f", 32)
		}
	}
	out.NextForwardToken = protocol.Ptr(cursor('f', fwd))
	out.NextBackwardToken = protocol.Ptr(cursor('b', back))
	return out, nil
}

// cursor renders an event position (32 hex digits) as AWS's "f/" or "b/" plus 56 digits.
func cursor(dir byte, pos string) string {
	ts, _ := strconv.ParseUint(pos[:16], 16, 64)
	seq, _ := strconv.ParseUint(pos[16:], 16, 64)
	return fmt.Sprintf("%c/%020d%020d%016d", dir, ts, seq, 0)
}

func parseCursor(tok string) (byte, string, bool) {
	if len(tok) != 58 || (tok[0] != 'f' && tok[0] != 'b') || tok[1] != '/' {
		return 0, "", false
	}
	ts, err1 := strconv.ParseUint(tok[2:22], 10, 64)
	seq, err2 := strconv.ParseUint(tok[22:42], 10, 64)
	if err1 != nil || err2 != nil || strings.Trim(tok[42:], "0") != "" {
		return 0, "", false
	}
	return tok[0], fmt.Sprintf("%016x%016x", ts, seq), true
}

// FilterLogEvents searches a group's streams (all, the named ones, or those with a prefix)
// between startTime and endTime for events matching the filter pattern (see filter.go),
// in timestamp order; limit default 10,000.
func (s *Service) FilterLogEvents(ctx context.Context, in *logsapi.FilterLogEventsRequest) (*logsapi.FilterLogEventsResponse, error) {
	c := s.call(ctx)
	group, err := groupName(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != nil {
		return nil, logsapi.ErrInvalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	match, err := compileFilter(protocol.Val(in.FilterPattern))
	if err != nil {
		return nil, err
	}
	limit := limitOr(in.Limit, 10000)
	offset, err := decodeOffset(protocol.Val(in.NextToken))
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, n := range in.LogStreamNames {
		names[n] = true
	}
	prefix := protocol.Val(in.LogStreamNamePrefix)
	start, end := int64(math.MinInt64), int64(math.MaxInt64)
	if in.StartTime != nil {
		start = *in.StartTime
	}
	if in.EndTime != nil {
		end = *in.EndTime
	}
	type hit struct {
		stream string
		e      storage.LogEventRecord
	}
	var hits []hit
	err = s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		if !storage.LogGroups(tx).Has(storage.LogGroupKey(c.region, group)) {
			return groupNotFound()
		}
		base := storage.LogStreamKey(c.region, group, "")
		return storage.LogEvents(tx).Scan(base+prefix, func(key string, e storage.LogEventRecord) error {
			stream := key[len(base) : len(key)-33]
			if (len(names) > 0 && !names[stream]) || !strings.HasPrefix(stream, prefix) {
				return nil
			}
			if e.Timestamp >= start && e.Timestamp < end && match(e.Message) {
				hits = append(hits, hit{stream, e})
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].e.Timestamp != hits[j].e.Timestamp {
			return hits[i].e.Timestamp < hits[j].e.Timestamp
		}
		return hits[i].e.Seq < hits[j].e.Seq
	})
	out := &logsapi.FilterLogEventsResponse{SearchedLogStreams: []logsapi.SearchedLogStream{}}
	out.Events, out.NextToken = offsetPage(hits, offset, limit, func(h hit) logsapi.FilteredLogEvent {
		return logsapi.FilteredLogEvent{LogStreamName: protocol.Ptr(h.stream), Timestamp: protocol.Ptr(h.e.Timestamp),
			Message: protocol.Ptr(h.e.Message), IngestionTime: protocol.Ptr(h.e.Ingestion), EventId: protocol.Ptr(eventID(h.e))}
	})
	return out, nil
}

// eventID is the event's id as FilterLogEvents reports it: 56 digits from its position.
func eventID(e storage.LogEventRecord) string {
	return cursor('f', storage.EventPosition(e.Timestamp, e.Seq))[2:]
}
