package cloudwatch

import (
	"errors"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// DescribeAlarms with ChildrenOfAlarmName or ParentsOfAlarmName lists an alarm's family (API
// Reference, DescribeAlarms): the children are the metric and composite alarms the named
// composite alarm's rule references, with "Only the Alarm Name, ARN, StateValue
// (OK/ALARM/INSUFFICIENT_DATA), and StateUpdatedTimestamp"; the parents are the composite
// alarms whose rules reference the named alarm, with "Only the Alarm Name and ARN". Neither
// lists the named alarm itself, and neither takes other parameters than MaxRecords and
// NextToken.

// familyOnly refuses a family request that carries other parameters ("If you do so, you
// receive a validation error"; the text is iamlocal's).
func familyOnly(in *cloudwatchapi.DescribeAlarmsInput) error {
	both := in.ChildrenOfAlarmName != nil && in.ParentsOfAlarmName != nil
	others := len(in.AlarmNames) > 0 || in.AlarmNamePrefix != nil || len(in.AlarmTypes) > 0 || in.StateValue != nil ||
		in.ActionPrefix != nil
	if both || others {
		return awserr.Validation("ChildrenOfAlarmName and ParentsOfAlarmName cannot be combined with each other or with any parameter other than MaxRecords and NextToken.")
	}
	return nil
}

// alarmFamily is the children of the alarm the request names, in the order its rule names them,
// or its parents, in name order.
func (s *Service) alarmFamily(c call, in *cloudwatchapi.DescribeAlarmsInput) ([]cloudwatchapi.MetricAlarm, []cloudwatchapi.CompositeAlarm, error) {
	if err := familyOnly(in); err != nil {
		return nil, nil, err
	}
	var metrics []cloudwatchapi.MetricAlarm
	var composites []cloudwatchapi.CompositeAlarm
	err := s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		st := newStates(c, tx)
		if in.ParentsOfAlarmName != nil {
			child := *in.ParentsOfAlarmName
			return storage.CompositeAlarms(tx).Scan(storage.Join(c.region, ""), func(_ string, a storage.CompositeAlarmRecord) error {
				if a.Name != child && c.names(a.Rule, child) {
					composites = append(composites, cloudwatchapi.CompositeAlarm{AlarmName: protocol.Ptr(a.Name),
						AlarmArn: protocol.Ptr(c.scope().Alarm(a.Name).String())})
				}
				return nil
			})
		}
		parent, err := storage.CompositeAlarms(tx).Get(storage.Join(c.region, *in.ChildrenOfAlarmName))
		if errors.Is(err, storage.ErrNotFound) {
			return nil // a metric alarm or no alarm has no children
		} else if err != nil {
			return err
		}
		r, err := parseRule(parent.Rule)
		if err != nil {
			return nil // stored rules parsed when they were put
		}
		for _, ref := range r.alarms() {
			name := c.alarmName(ref)
			if name == parent.Name {
				continue
			}
			arnText := protocol.Ptr(c.scope().Alarm(name).String())
			key := storage.Join(c.region, name)
			if m, err := storage.Alarms(tx).Get(key); err == nil {
				metrics = append(metrics, cloudwatchapi.MetricAlarm{AlarmName: protocol.Ptr(name), AlarmArn: arnText,
					StateValue: protocol.Ptr(m.State), StateUpdatedTimestamp: protocol.Ptr(m.StateUpdated)})
			} else if comp, err := storage.CompositeAlarms(tx).Get(key); err == nil {
				state := st.composite(comp)
				composites = append(composites, cloudwatchapi.CompositeAlarm{AlarmName: protocol.Ptr(name), AlarmArn: arnText,
					StateValue: protocol.Ptr(state.value), StateUpdatedTimestamp: protocol.Ptr(state.updated)})
			} // else a rule may name an alarm that does not exist
		}
		return nil
	})
	return metrics, composites, err
}

// names reports whether rule references the alarm named name, by name or by ARN.
func (c call) names(rule, name string) bool {
	r, err := parseRule(rule)
	if err != nil {
		return false
	}
	for _, ref := range r.alarms() {
		if c.alarmName(ref) == name {
			return true
		}
	}
	return false
}
