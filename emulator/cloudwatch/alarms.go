package cloudwatch

import (
	"context"
	"errors"
	"strings"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Metric alarms are stored and listed; iamlocal does not evaluate them, so an alarm stays in
// INSUFFICIENT_DATA ("Unchecked: Initial alarm creation") as a new alarm starts out on AWS.

// PutMetricAlarm creates or replaces an alarm; replacing keeps its state.
func (s *Service) PutMetricAlarm(ctx context.Context, in *cloudwatchapi.PutMetricAlarmInput) (*cloudwatchapi.Empty, error) {
	c := s.call(ctx)
	if in.Statistic != nil && in.ExtendedStatistic != nil {
		return nil, cloudwatchapi.ErrInvalidParameterCombination("Exactly one element of the Statistic and ExtendedStatistic parameters must be specified.")
	}
	if len(in.Metrics) == 0 && in.Statistic == nil && in.ExtendedStatistic == nil {
		return nil, cloudwatchapi.ErrMissingParameter("Exactly one element of the Statistic and ExtendedStatistic parameters must be specified.")
	}
	name := protocol.Val(in.AlarmName)
	rec := storage.AlarmRecord{Name: name, Description: protocol.Val(in.AlarmDescription), Namespace: protocol.Val(in.Namespace),
		MetricName: protocol.Val(in.MetricName), Dimensions: sortDims(in.Dimensions), Statistic: protocol.Val(in.Statistic),
		ExtendedStatistic: protocol.Val(in.ExtendedStatistic), Period: protocol.Val(in.Period),
		EvaluationPeriods: protocol.Val(in.EvaluationPeriods), DatapointsToAlarm: protocol.Val(in.DatapointsToAlarm),
		Threshold: protocol.Val(in.Threshold), ComparisonOperator: protocol.Val(in.ComparisonOperator),
		TreatMissingData: protocol.Val(in.TreatMissingData), Unit: protocol.Val(in.Unit),
		ActionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled, AlarmActions: in.AlarmActions,
		OKActions: in.OKActions, InsufficientData: in.InsufficientDataActions,
		State: "INSUFFICIENT_DATA", StateReason: "Unchecked: Initial alarm creation", StateUpdated: c.now.UTC(), ConfigUpdated: c.now.UTC()}
	for _, t := range in.Tags {
		rec.Tags = append(rec.Tags, storage.Tag{Key: protocol.Val(t.Key), Value: protocol.Val(t.Value)})
	}
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		key := storage.Join(c.region, name)
		if storage.CompositeAlarms(tx).Has(key) {
			return cloudwatchapi.ErrInvalidParameterValue("An alarm with the name %s already exists as a composite alarm.", name)
		}
		if old, err := storage.Alarms(tx).Get(key); err == nil {
			// Tags given when an alarm is replaced are ignored: TagResource and UntagResource
			// change them (API Reference, PutMetricAlarm, Tags; aws/aws-sdk#27).
			rec.State, rec.StateReason, rec.StateUpdated, rec.Tags = old.State, old.StateReason, old.StateUpdated, old.Tags
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		return storage.Alarms(tx).Put(key, rec)
	})
	if err != nil {
		return nil, err
	}
	return &cloudwatchapi.Empty{}, nil
}

// DescribeAlarms lists metric and composite alarms by names or name prefix (not both), state and action
// prefix, in name order, MaxRecords (default 50) a page.
func (s *Service) DescribeAlarms(ctx context.Context, in *cloudwatchapi.DescribeAlarmsInput) (*cloudwatchapi.DescribeAlarmsOutput, error) {
	c := s.call(ctx)
	if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != nil {
		return nil, cloudwatchapi.ErrInvalidParameterCombination("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have specified both.")
	}
	offset, err := decodeOffset(protocol.Val(in.NextToken))
	if err != nil {
		return nil, err
	}
	limit := int(protocol.Val(in.MaxRecords))
	if limit == 0 {
		limit = 50
	}
	var metrics []cloudwatchapi.MetricAlarm
	var composites []cloudwatchapi.CompositeAlarm
	if in.ChildrenOfAlarmName != nil || in.ParentsOfAlarmName != nil {
		metrics, composites, err = s.alarmFamily(c, in)
	} else {
		metrics, composites, err = s.listAlarms(c, in)
	}
	if err != nil {
		return nil, err
	}
	// One page runs over the metric alarms, then the composite alarms.
	out := &cloudwatchapi.DescribeAlarmsOutput{MetricAlarms: []cloudwatchapi.MetricAlarm{}, CompositeAlarms: []cloudwatchapi.CompositeAlarm{}}
	end := offset + limit
	if offset < len(metrics) {
		out.MetricAlarms = metrics[offset:min(len(metrics), end)]
	}
	if from, to := max(offset-len(metrics), 0), end-len(metrics); to > 0 && from < len(composites) {
		out.CompositeAlarms = composites[from:min(len(composites), to)]
	}
	if end < len(metrics)+len(composites) {
		out.NextToken = protocol.Ptr(encodeOffset(end))
	}
	return out, nil
}

// listAlarms is the alarms DescribeAlarms names by name, prefix, type, state and action.
func (s *Service) listAlarms(c call, in *cloudwatchapi.DescribeAlarmsInput) ([]cloudwatchapi.MetricAlarm, []cloudwatchapi.CompositeAlarm, error) {
	names := map[string]bool{}
	for _, n := range in.AlarmNames {
		names[n] = true
	}
	// Without AlarmTypes only metric alarms are listed (API Reference, DescribeAlarms,
	// AlarmTypes: "If you omit this parameter, only metric alarms are returned").
	wantMetric, wantComposite := len(in.AlarmTypes) == 0, false
	for _, t := range in.AlarmTypes {
		wantMetric = wantMetric || t == "MetricAlarm"
		wantComposite = wantComposite || t == "CompositeAlarm"
	}
	keep := func(name, state string, actions []string) bool {
		return (len(names) == 0 || names[name]) && (in.StateValue == nil || *in.StateValue == state) &&
			(in.ActionPrefix == nil || hasPrefix(actions, *in.ActionPrefix))
	}
	var metrics []cloudwatchapi.MetricAlarm
	var composites []cloudwatchapi.CompositeAlarm
	prefix := storage.Join(c.region, protocol.Val(in.AlarmNamePrefix))
	err := s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		if wantMetric {
			err := storage.Alarms(tx).Scan(prefix, func(_ string, a storage.AlarmRecord) error {
				if keep(a.Name, a.State, a.AlarmActions) {
					metrics = append(metrics, c.alarm(a))
				}
				return nil
			})
			if err != nil || !wantComposite {
				return err
			}
		}
		if !wantComposite {
			return nil
		}
		st := newStates(c, tx)
		return storage.CompositeAlarms(tx).Scan(prefix, func(_ string, a storage.CompositeAlarmRecord) error {
			if state := st.composite(a); keep(a.Name, state.value, a.AlarmActions) {
				composites = append(composites, c.compositeAlarm(a, state))
			}
			return nil
		})
	})
	return metrics, composites, err
}

func hasPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func (c call) alarm(a storage.AlarmRecord) cloudwatchapi.MetricAlarm {
	m := cloudwatchapi.MetricAlarm{AlarmName: protocol.Ptr(a.Name),
		AlarmArn:       protocol.Ptr(c.scope().Alarm(a.Name).String()),
		ActionsEnabled: protocol.Ptr(a.ActionsEnabled), AlarmActions: nonNil(a.AlarmActions), OKActions: nonNil(a.OKActions),
		InsufficientDataActions: nonNil(a.InsufficientData), StateValue: protocol.Ptr(a.State), StateReason: protocol.Ptr(a.StateReason),
		StateUpdatedTimestamp: protocol.Ptr(a.StateUpdated), StateTransitionedTimestamp: protocol.Ptr(a.StateUpdated),
		AlarmConfigurationUpdatedTimestamp: protocol.Ptr(a.ConfigUpdated), Threshold: protocol.Ptr(a.Threshold),
		EvaluationPeriods: protocol.Ptr(a.EvaluationPeriods), Dimensions: []cloudwatchapi.Dimension{}}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return protocol.Ptr(s)
	}
	m.AlarmDescription, m.Namespace, m.MetricName = opt(a.Description), opt(a.Namespace), opt(a.MetricName)
	m.Statistic, m.ExtendedStatistic, m.ComparisonOperator = opt(a.Statistic), opt(a.ExtendedStatistic), opt(a.ComparisonOperator)
	m.TreatMissingData, m.Unit = opt(a.TreatMissingData), opt(a.Unit)
	if a.Period != 0 {
		m.Period = protocol.Ptr(a.Period)
	}
	if a.DatapointsToAlarm != 0 {
		m.DatapointsToAlarm = protocol.Ptr(a.DatapointsToAlarm)
	}
	for _, d := range a.Dimensions {
		m.Dimensions = append(m.Dimensions, cloudwatchapi.Dimension{Name: protocol.Ptr(d.Name), Value: protocol.Ptr(d.Value)})
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// DeleteAlarms deletes the named metric and composite alarms; if any does not exist none is
// deleted and the answer is ResourceNotFound (API Reference, DeleteAlarms). Nor is any deleted
// while a composite alarm that stays names one of them: AWS refuses it, which is why "you
// can't delete any composite alarm that is part of the cycle" (API Reference, DeleteAlarms).
func (s *Service) DeleteAlarms(ctx context.Context, in *cloudwatchapi.DeleteAlarmsInput) (*cloudwatchapi.Empty, error) {
	c := s.call(ctx)
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		var missing []string
		deleting := map[string]bool{}
		for _, n := range in.AlarmNames {
			key := storage.Join(c.region, n)
			if !storage.Alarms(tx).Has(key) && !storage.CompositeAlarms(tx).Has(key) {
				missing = append(missing, n)
			}
			deleting[n] = true
		}
		if len(missing) > 0 {
			return cloudwatchapi.ErrResourceNotFound("%d/%d alarms not found: [%s]", len(missing), len(in.AlarmNames), strings.Join(missing, ", "))
		}
		parents, err := c.compositeParents(tx, deleting)
		if err != nil {
			return err
		}
		for _, n := range in.AlarmNames {
			if parent, named := parents[n]; named {
				return awserr.Validation("Alarm %s cannot be deleted because it is referenced by the composite alarm %s.", n, parent)
			}
		}
		for n := range deleting { // each once, though named twice
			key := storage.Join(c.region, n)
			err := storage.Alarms(tx).Delete(key)
			if errors.Is(err, storage.ErrNotFound) {
				err = storage.CompositeAlarms(tx).Delete(key)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &cloudwatchapi.Empty{}, nil
}
