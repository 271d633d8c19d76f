package lambda

import (
	"context"
	"log/slog"
)

// runtimeChecker is a Runner that can tell, before any invocation, why it
// cannot run a runtime here ("" when it can): the executor.
type runtimeChecker interface {
	CheckRuntime(ctx context.Context, runtime string) string
}

// warnUnrunnable writes a warning to the server log when a function was
// stored that iamlocal cannot run: Lambda accepts every runtime of its list
// and container images at CreateFunction (and UpdateFunctionConfiguration),
// and so does iamlocal; its Invoke then answers a Runtime.InvalidEntrypoint
// function error saying why.
func (s *Service) warnUnrunnable(ctx context.Context, function, packageType, runtime string) {
	why := ""
	switch {
	case packageType == "Image":
		why = "iamlocal does not run container image functions; Invoke answers a Runtime.InvalidEntrypoint function error"
	case runtime != "":
		if rc, ok := s.hooks.Runner.(runtimeChecker); ok {
			why = rc.CheckRuntime(ctx, runtime)
		}
	}
	if why != "" {
		s.log.LogAttrs(ctx, slog.LevelWarn, "lambda function stored that cannot run here",
			slog.String("function", function), slog.String("runtime", runtime), slog.String("reason", why))
	}
}
