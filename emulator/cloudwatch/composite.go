package cloudwatch

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Composite alarms (API Reference, PutCompositeAlarm). A composite alarm's state is not kept
// up to date in storage: it is computed whenever it is read, from its children's states at that
// moment ("The composite alarm goes into ALARM state only if all conditions of the rule are
// met", else OK). The only stored state is the one SetAlarmState gives it, which holds until a
// child changes state or the alarm is updated ("It returns to its actual state only once any
// of its children alarms change state. It is also reevaluated if you update its
// configuration", API Reference, SetAlarmState). AWS shows INSUFFICIENT_DATA only in the
// moment between creation and the first evaluation ("For a composite alarm, this initial time
// after creation is the only time that the alarm can be in INSUFFICIENT_DATA state"); iamlocal
// evaluates at once, so a new composite alarm reads as OK or ALARM.

const initialReason = "Unchecked: Initial alarm creation"

// PutCompositeAlarm creates or replaces a composite alarm; replacing keeps its tags (as
// PutMetricAlarm does) and re-evaluates it.
func (s *Service) PutCompositeAlarm(ctx context.Context, in *cloudwatchapi.PutCompositeAlarmInput) (*cloudwatchapi.Empty, error) {
	c := s.call(ctx)
	name, text := protocol.Val(in.AlarmName), protocol.Val(in.AlarmRule)
	r, err := parseRule(text)
	if err != nil {
		return nil, awserr.Validation("Error in AlarmRule [%s]", err.Error())
	}
	children := r.alarms()
	if len(children) > maxRuleAlarms {
		return nil, awserr.Validation("Error in AlarmRule [The alarm rule can reference at most %d alarms, it references %d]", maxRuleAlarms, len(children))
	}
	for _, child := range children {
		if c.alarmName(child) == name {
			return nil, awserr.Validation("Error in AlarmRule [The alarm rule cannot reference the alarm itself: %s]", child)
		}
	}
	rec := storage.CompositeAlarmRecord{V: 1, Name: name, Description: protocol.Val(in.AlarmDescription), Rule: text,
		ActionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled, AlarmActions: in.AlarmActions,
		OKActions: in.OKActions, InsufficientData: in.InsufficientDataActions,
		Suppressor: protocol.Val(in.ActionsSuppressor), SuppressorWait: protocol.Val(in.ActionsSuppressorWaitPeriod),
		SuppressorExtend: protocol.Val(in.ActionsSuppressorExtensionPeriod), Created: c.now.UTC(), ConfigUpdated: c.now.UTC()}
	for _, t := range in.Tags {
		rec.Tags = append(rec.Tags, storage.Tag{Key: protocol.Val(t.Key), Value: protocol.Val(t.Value)})
	}
	err = s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		key := storage.Join(c.region, name)
		if storage.Alarms(tx).Has(key) {
			return cloudwatchapi.ErrInvalidParameterValue("An alarm with the name %s already exists as a metric alarm.", name)
		}
		if old, err := storage.CompositeAlarms(tx).Get(key); err == nil {
			rec.Created, rec.Tags = old.Created, old.Tags
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		return storage.CompositeAlarms(tx).Put(key, rec)
	})
	if err != nil {
		return nil, err
	}
	return &cloudwatchapi.Empty{}, nil
}

// alarmName is the name of the alarm a rule or suppressor names by name or by ARN; an ARN of
// another account or Region keeps its whole text, which names no alarm here.
func (c call) alarmName(ref string) string {
	a, err := arn.Parse(ref)
	if err != nil {
		return ref
	}
	name, ok := strings.CutPrefix(a.Resource, "alarm:")
	if !ok || a.Service != "cloudwatch" || a.Account != c.account || a.Region != c.region || a.Partition != c.partition {
		return ref
	}
	return name
}

// alarmState is an alarm's state as a rule reads it.
type alarmState struct {
	value, reason string
	updated       time.Time
}

// states evaluates alarms in one read transaction: metric alarms read their stored state,
// composite alarms are computed from their children, each once.
type states struct {
	c        call
	tx       *storage.Tx
	done     map[string]alarmState
	visiting map[string]bool
}

func newStates(c call, tx *storage.Tx) *states {
	return &states{c: c, tx: tx, done: map[string]alarmState{}, visiting: map[string]bool{}}
}

// of is the state of the alarm named name, ok false when there is none.
func (st *states) of(name string) (alarmState, bool) {
	if s, ok := st.done[name]; ok {
		return s, true
	}
	key := storage.Join(st.c.region, name)
	if m, err := storage.Alarms(st.tx).Get(key); err == nil {
		s := alarmState{value: m.State, reason: m.StateReason, updated: m.StateUpdated}
		st.done[name] = s
		return s, true
	}
	comp, err := storage.CompositeAlarms(st.tx).Get(key)
	if err != nil {
		return alarmState{}, false
	}
	return st.composite(comp), true
}

// composite is a composite alarm's state now. A cycle of composite alarms (which AWS allows,
// API Reference, PutCompositeAlarm) is cut where it closes: the alarm being evaluated reads as
// in its initial state there.
func (st *states) composite(a storage.CompositeAlarmRecord) alarmState {
	if s, ok := st.done[a.Name]; ok {
		return s
	}
	if st.visiting[a.Name] {
		return alarmState{value: "INSUFFICIENT_DATA", reason: initialReason, updated: a.Created}
	}
	st.visiting[a.Name] = true
	defer delete(st.visiting, a.Name)
	r, err := parseRule(a.Rule)
	if err != nil { // stored rules parsed when they were put
		return alarmState{value: "INSUFFICIENT_DATA", reason: initialReason, updated: a.Created}
	}
	// The state changed last when the alarm was put or when its latest child changed.
	var latestChild string
	var childAt time.Time
	children := map[string]alarmState{}
	for _, ref := range r.alarms() {
		if s, ok := st.of(st.c.alarmName(ref)); ok {
			children[ref] = s
			if latestChild == "" || s.updated.After(childAt) {
				latestChild, childAt = ref, s.updated
			}
		}
	}
	if a.State != "" && !childAt.After(a.StateUpdated) {
		out := alarmState{value: a.State, reason: a.StateReason, updated: a.StateUpdated}
		st.done[a.Name] = out
		return out
	}
	holds := r.eval(func(ref string) string { return children[ref].value })
	out := alarmState{value: "OK", reason: "Alarm rule evaluated to FALSE", updated: a.ConfigUpdated}
	if holds {
		out.value, out.reason = "ALARM", "Alarm rule evaluated to TRUE"
	}
	if childAt.After(out.updated) {
		out.updated = childAt
	}
	if latestChild != "" {
		out.reason = st.c.scope().Alarm(st.c.alarmName(latestChild)).String() + " transitioned to " +
			children[latestChild].value + " at " + childAt.UTC().Format("Monday 02 January, 2006 15:04:05 MST")
	}
	st.done[a.Name] = out
	return out
}

func (c call) compositeAlarm(a storage.CompositeAlarmRecord, s alarmState) cloudwatchapi.CompositeAlarm {
	out := cloudwatchapi.CompositeAlarm{AlarmName: protocol.Ptr(a.Name), AlarmArn: protocol.Ptr(c.scope().Alarm(a.Name).String()),
		AlarmRule: protocol.Ptr(a.Rule), ActionsEnabled: protocol.Ptr(a.ActionsEnabled), AlarmActions: nonNil(a.AlarmActions),
		OKActions: nonNil(a.OKActions), InsufficientDataActions: nonNil(a.InsufficientData),
		StateValue: protocol.Ptr(s.value), StateReason: protocol.Ptr(s.reason),
		StateUpdatedTimestamp: protocol.Ptr(s.updated), StateTransitionedTimestamp: protocol.Ptr(s.updated),
		AlarmConfigurationUpdatedTimestamp: protocol.Ptr(a.ConfigUpdated)}
	if a.Description != "" {
		out.AlarmDescription = protocol.Ptr(a.Description)
	}
	if a.Suppressor != "" {
		out.ActionsSuppressor = protocol.Ptr(a.Suppressor)
		out.ActionsSuppressorWaitPeriod = protocol.Ptr(a.SuppressorWait)
		out.ActionsSuppressorExtensionPeriod = protocol.Ptr(a.SuppressorExtend)
	}
	return out
}

// SetAlarmState sets a metric or composite alarm's state until it is next evaluated. iamlocal
// does not evaluate metric alarms, so theirs holds; a composite alarm's holds until a child
// changes state. An alarm that does not exist is ResourceNotFound with no message, as AWS
// answers (LocalStack's AWS capture test_set_alarm_invalid_input, "error-resource-not-found").
func (s *Service) SetAlarmState(ctx context.Context, in *cloudwatchapi.SetAlarmStateInput) (*cloudwatchapi.Empty, error) {
	c := s.call(ctx)
	key := storage.Join(c.region, protocol.Val(in.AlarmName))
	state, reason := protocol.Val(in.StateValue), protocol.Val(in.StateReason)
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		if m, err := storage.Alarms(tx).Get(key); err == nil {
			m.State, m.StateReason, m.StateUpdated = state, reason, c.now.UTC()
			return storage.Alarms(tx).Put(key, m)
		}
		comp, err := storage.CompositeAlarms(tx).Get(key)
		if errors.Is(err, storage.ErrNotFound) {
			return cloudwatchapi.ErrResourceNotFound("")
		}
		if err != nil {
			return err
		}
		comp.State, comp.StateReason, comp.StateUpdated = state, reason, c.now.UTC()
		return storage.CompositeAlarms(tx).Put(key, comp)
	})
	if err != nil {
		return nil, err
	}
	return &cloudwatchapi.Empty{}, nil
}

// compositeParents are the composite alarms, other than those being deleted, whose rules name
// one of the alarms in deleting, by the name they name.
func (c call) compositeParents(tx *storage.Tx, deleting map[string]bool) (map[string]string, error) {
	parents := map[string]string{}
	err := storage.CompositeAlarms(tx).Scan(storage.Join(c.region, ""), func(_ string, a storage.CompositeAlarmRecord) error {
		if deleting[a.Name] {
			return nil
		}
		r, err := parseRule(a.Rule)
		if err != nil {
			return nil
		}
		for _, ref := range r.alarms() {
			if n := c.alarmName(ref); deleting[n] {
				if _, seen := parents[n]; !seen {
					parents[n] = a.Name
				}
			}
		}
		return nil
	})
	return parents, err
}
