package awserr_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/iamlocal/iamlocal/protocol/awserr"
)

func TestConstructors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    *awserr.Error
		code   string
		status int
		sender bool
		msg    string
	}{
		{"formatted", awserr.New("NoSuchEntity", 404, true, "The user with name %s cannot be found.", "bob"), "NoSuchEntity", 404, true, "The user with name bob cannot be found."},
		{"no args: format used as is", awserr.New("X", 400, true, "plain text."), "X", 400, true, "plain text."},
		{"not implemented", awserr.NotImplemented("CreateSAMLProvider"), "NotImplemented", http.StatusNotImplemented, false, "The operation CreateSAMLProvider is not implemented by iamlocal."},
		{"internal", awserr.Internal(), "InternalFailure", 500, false, "The request processing has failed because of an unknown error, exception or failure."},
		{"validation", awserr.Validation("%d validation error detected", 1), "ValidationError", 400, true, "1 validation error detected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := tt.err
			if e.Code != tt.code || e.Status != tt.status || e.Sender != tt.sender || e.Message != tt.msg {
				t.Errorf("error = %+v", e)
			}
			if e.Error() != tt.code+": "+tt.msg {
				t.Errorf("Error() = %q", e.Error())
			}
		})
	}
}

func TestAs(t *testing.T) {
	t.Parallel()
	base := awserr.New("EntityAlreadyExists", 409, true, "exists")
	wrapped := fmt.Errorf("create: %w", base)
	if e, ok := awserr.As(wrapped); !ok || e != base {
		t.Errorf("As(wrapped) = %v, %v", e, ok)
	}
	var target *awserr.Error
	if !errors.As(wrapped, &target) || target.Code != "EntityAlreadyExists" {
		t.Error("errors.As failed")
	}
	if e, ok := awserr.As(errors.New("plain")); ok || e != nil {
		t.Errorf("As(plain) = %v, %v", e, ok)
	}
	if _, ok := awserr.As(nil); ok {
		t.Error("As(nil) matched")
	}
}
