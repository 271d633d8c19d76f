package lambda

import (
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/storage"
)

// The state changes Lambda makes after it has answered: a new function is Pending until it
// is Active, and an update of $LATEST's code or configuration is InProgress until it is
// Successful. Each change gives the function a new RevisionId when it begins and another
// when it ends (recorded: TestLambdaFunction::test_function_lifecycle, where CreateFunction,
// the GetFunction after Active, UpdateFunctionConfiguration, the GetFunction after it,
// UpdateFunctionCode and the GetFunction after that carry six different RevisionIds).
const (
	transitionCreating = "Creating" // State Pending
	transitionUpdating = "Updating" // LastUpdateStatus InProgress
)

// begin starts a state change of v at now: v gets a new revision, and the one it will have
// when the change ends, Options.StateTransition later.
func (s *Service) begin(v *storage.LambdaVersionRecord, transition string, now time.Time) {
	v.RevisionID = s.revision()
	v.Transition, v.Settles, v.SettledRevision = transition, now.Add(s.stateTransition), s.revision()
}

// settled is v as it stands at now: a change that has ended has left v with its settled
// revision and no transition. Readers settle what they show, writers what they store.
func settled(v storage.LambdaVersionRecord, now time.Time) storage.LambdaVersionRecord {
	if v.Transition == "" || now.Before(v.Settles) {
		return v
	}
	v.RevisionID = v.SettledRevision
	v.Transition, v.Settles, v.SettledRevision = "", time.Time{}, ""
	return v
}

// errUpdateInProgress is Lambda's refusal of an update or a publish while a create or an
// update of the function is still under way: 409, Type User, naming the unqualified ARN
// (recorded: TestLambdaFunction::test_lambda_concurrent_code_updates,
// update-during-in-progress-update-exc; publishing is refused in the same words, as
// deployment scripts quote it).
func errUpdateInProgress(t target) error {
	return lambdaapi.ErrResourceConflict("The operation cannot be performed at this time. An update is in progress for resource: %s", t.arn())
}

// checkSettled refuses a change of a function whose last create or update is under way.
func checkSettled(t target, v storage.LambdaVersionRecord) error {
	if v.Transition != "" {
		return errUpdateInProgress(t)
	}
	return nil
}

// errNotInvocable is Lambda's refusal to invoke a function whose state does not allow it:
// 409 ResourceConflictException, "The function is currently in the following state: Pending"
// while it is being created (Lambda Developer Guide, "Troubleshoot invocation issues in
// Lambda", and "Lambda function states": "Lambda does not invoke a function during pending
// state"). No recording of its body exists; Type User is that of the recorded in-progress
// conflict above, which the same frontend answers.
func errNotInvocable(state string) error {
	return lambdaapi.ErrResourceConflict("The operation cannot be performed at this time. The function is currently in the following state: %s", state)
}
