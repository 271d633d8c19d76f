package logs

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/storage"
)

// Delivery to Lambda ("Using CloudWatch Logs subscription filters", Example: Lambda): the
// function is invoked asynchronously with {"awslogs":{"data":"..."}}, data being the base64 of
// the gzip of a JSON document naming the owner, group, stream and filter and carrying the
// matching events. Events reach the deliverer after the transaction that stored them commits;
// one worker sends them, so neither PutLogEvents nor the Lambda executor's log sink waits on
// an invocation.
//
// Loops: a function subscribed to its own log group is invoked by its own output, and each
// invocation writes more (AWS warns of exactly this: "Log recursion prevention"). iamlocal does
// not stop the loop, but bounds what it costs: the queue holds at most deliveryQueueSize
// batches (more are dropped and logged), and the worker coalesces what has queued by stream and
// pauses deliveryPause between rounds, so a loop invokes a function at most a few times a
// second instead of spinning the server.

// LambdaDelivery is one payload for a subscribed function: Options.Invoke queues it as an
// asynchronous invocation by one of Services, which the function's policy must allow, with
// aws:SourceArn and aws:SourceAccount naming the log group.
type LambdaDelivery struct {
	Function      string
	Services      []string
	SourceARN     string
	SourceAccount string
	Payload       []byte
}

// ErrDeliveryRefused is what Options.Invoke answers when the function does not exist or does
// not allow CloudWatch Logs to invoke it.
var ErrDeliveryRefused = errors.New("logs: the function does not allow CloudWatch Logs to invoke it")

const (
	deliveryQueueSize = 1024
	deliveryPause     = 100 * time.Millisecond
	// A payload holds at most as many events as one PutLogEvents batch (10,000) and 512 KiB
	// of JSON, so that its base64 stays under Lambda's 1 MB asynchronous payload limit.
	maxPayloadEvents = 10000
	maxPayloadJSON   = 512 * 1024
)

// logsPrincipals are the names CloudWatch Logs is granted under in function policies: the
// global one and the regional one AWS's examples use ("Subscription filters with AWS Lambda":
// --principal "logs.region.amazonaws.com").
func logsPrincipals(region string) []string {
	return []string{"logs.amazonaws.com", "logs." + region + ".amazonaws.com"}
}

type payloadEvent struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// subscriptionMessage is the document in awslogs.data, its members in the order of AWS's
// example.
type subscriptionMessage struct {
	MessageType         string         `json:"messageType"`
	Owner               string         `json:"owner"`
	LogGroup            string         `json:"logGroup"`
	LogStream           string         `json:"logStream"`
	SubscriptionFilters []string       `json:"subscriptionFilters"`
	LogEvents           []payloadEvent `json:"logEvents"`
}

// encodePayload wraps a message as the function receives it.
func encodePayload(m subscriptionMessage) ([]byte, error) {
	doc, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var zipped bytes.Buffer
	w := gzip.NewWriter(&zipped)
	if _, err := w.Write(doc); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return json.Marshal(map[string]map[string]string{"awslogs": {"data": base64.StdEncoding.EncodeToString(zipped.Bytes())}})
}

// testDelivery sends the function the control message CloudWatch Logs checks a destination
// with (its shape and wording as destinations receive it: messageType CONTROL_MESSAGE, owner
// "CloudwatchLogs", no group, stream or filters, one event "CWL CONTROL MESSAGE: Checking
// health of destination ..."), refusing the filter when the function may not be invoked.
func (s *Service) testDelivery(c call, group, function string) error {
	if s.opts.Invoke == nil {
		return lambdaRefused()
	}
	payload, err := encodePayload(subscriptionMessage{MessageType: "CONTROL_MESSAGE", Owner: "CloudwatchLogs", SubscriptionFilters: []string{},
		LogEvents: []payloadEvent{{Timestamp: c.now.UnixMilli(), Message: "CWL CONTROL MESSAGE: Checking health of destination Lambda function."}}})
	if err != nil {
		return err
	}
	err = s.opts.Invoke(LambdaDelivery{Function: function, Services: logsPrincipals(c.region), SourceARN: c.scope().LogGroupWildcard(group).String(),
		SourceAccount: c.account, Payload: payload})
	if errors.Is(err, ErrDeliveryRefused) {
		return lambdaRefused()
	}
	return err
}

// ingested is what one write stored in a group with Lambda subscriptions.
type ingested struct {
	account, region, partition, group, stream string
	filters                                   []storage.LogSubscriptionRecord
	events                                    []storage.LogEventRecord
}

type deliverer struct {
	s     *Service
	queue chan ingested
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

func newDeliverer(s *Service) *deliverer {
	d := &deliverer{s: s, queue: make(chan ingested, deliveryQueueSize), stop: make(chan struct{}), done: make(chan struct{})}
	go d.run()
	return d
}

// deliver hands committed events to the worker; a full queue drops them.
func (s *Service) deliver(in ingested) {
	if s.deliveries == nil || len(in.filters) == 0 || len(in.events) == 0 {
		return
	}
	select {
	case s.deliveries.queue <- in:
	default:
		s.opts.Logger.Warn("subscription delivery queue full: events dropped", "account", in.account, "region", in.region,
			"group", in.group, "stream", in.stream, "events", len(in.events))
	}
}

// close stops the worker after the round under way.
func (d *deliverer) close() {
	d.once.Do(func() { close(d.stop) })
	<-d.done
}

func (d *deliverer) run() {
	defer close(d.done)
	for {
		var batch []ingested
		select {
		case <-d.stop:
			return
		case in := <-d.queue:
			batch = append(batch, in)
		}
	drain:
		for len(batch) < deliveryQueueSize {
			select {
			case in := <-d.queue:
				batch = append(batch, in)
			default:
				break drain
			}
		}
		for _, in := range coalesce(batch) {
			d.send(in)
		}
		select {
		case <-d.stop:
			return
		case <-time.After(deliveryPause):
		}
	}
}

// coalesce joins the writes to one stream, in the order they came; the latest write's filters
// are the group's current ones.
func coalesce(batch []ingested) []ingested {
	type where struct{ account, region, group, stream string }
	index := map[where]int{}
	var out []ingested
	for _, in := range batch {
		k := where{in.account, in.region, in.group, in.stream}
		i, ok := index[k]
		if !ok {
			index[k] = len(out)
			out = append(out, ingested{account: in.account, region: in.region, partition: in.partition, group: in.group, stream: in.stream})
			i = len(out) - 1
		}
		out[i].filters = in.filters
		out[i].events = append(out[i].events, in.events...)
	}
	return out
}

// send delivers one stream's events to each filter's function, the matching ones only, in
// payloads within the limits.
func (d *deliverer) send(in ingested) {
	scope := arn.Scope{Partition: in.partition, Region: in.region, Account: in.account}
	for _, f := range in.filters {
		compiled, err := d.s.patterns.compile(f.Pattern)
		if err != nil {
			continue // checked when the filter was put
		}
		var events []payloadEvent
		size := 0
		flush := func() {
			if len(events) == 0 {
				return
			}
			d.invoke(scope, in, f, events)
			events, size = nil, 0
		}
		for _, e := range in.events {
			if !compiled.match(e.Message) {
				continue
			}
			if len(events) == maxPayloadEvents || size+len(e.Message)+100 > maxPayloadJSON {
				flush()
			}
			events = append(events, payloadEvent{ID: eventID(e), Timestamp: e.Timestamp, Message: e.Message})
			size += len(e.Message) + 100 // the event's members and escapes, roughly
		}
		flush()
	}
}

func (d *deliverer) invoke(scope arn.Scope, in ingested, f storage.LogSubscriptionRecord, events []payloadEvent) {
	payload, err := encodePayload(subscriptionMessage{MessageType: "DATA_MESSAGE", Owner: in.account, LogGroup: in.group,
		LogStream: in.stream, SubscriptionFilters: []string{f.Name}, LogEvents: events})
	if err == nil {
		err = d.s.opts.Invoke(LambdaDelivery{Function: f.Destination, Services: logsPrincipals(in.region),
			SourceARN: scope.LogGroupWildcard(in.group).String(), SourceAccount: in.account, Payload: payload})
	}
	if err != nil {
		d.s.opts.Logger.Warn("subscription delivery failed", "account", in.account, "region", in.region, "group", in.group,
			"filter", f.Name, "destination", f.Destination, "events", len(events), "err", err)
	}
}
