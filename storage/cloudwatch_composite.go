package storage

import "time"

// CompositeAlarmRecord is a composite alarm as PutCompositeAlarm defined it. Its state is
// computed from its children's states whenever it is read; State is only what SetAlarmState
// set, at StateUpdated ("" when it set none since the alarm was last put). Composite and metric
// alarms share one name space per account and region: the handlers refuse to put either under
// a name the other kind holds.
type CompositeAlarmRecord struct {
	V                int       `json:"v"`
	Name             string    `json:"name"`
	Description      string    `json:"desc,omitempty"`
	Rule             string    `json:"rule"`
	ActionsEnabled   bool      `json:"actions"`
	AlarmActions     []string  `json:"alarmActions,omitempty"`
	OKActions        []string  `json:"okActions,omitempty"`
	InsufficientData []string  `json:"idActions,omitempty"`
	Suppressor       string    `json:"suppressor,omitempty"`
	SuppressorWait   int32     `json:"suppressorWait,omitempty"`
	SuppressorExtend int32     `json:"suppressorExtend,omitempty"`
	Tags             []Tag     `json:"tags,omitempty"`
	State            string    `json:"state,omitempty"`
	StateReason      string    `json:"reason,omitempty"`
	StateUpdated     time.Time `json:"stateUpdated,omitzero"`
	Created          time.Time `json:"created"`
	ConfigUpdated    time.Time `json:"configUpdated"`
}

// CompositeAlarms are keyed by Join(region, name), as Alarms are.
func CompositeAlarms(tx *Tx) Table[CompositeAlarmRecord] {
	return AccountTable[CompositeAlarmRecord](tx, "cloudwatch.composite")
}
