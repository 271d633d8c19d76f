package logs

import (
	"context"
	"regexp"
	"slices"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// ListLogGroups lists the region's groups in name order as summaries: name, ARN and class
// ("ListLogGroups", API Reference). logGroupNamePattern is "a regular expression that can match
// prefixes and substrings": up to five alternatives joined by |, each case-sensitive, ^ for a
// prefix (^/aws/lambda|discovery); the model holds it to that shape. accountIdentifiers and
// includeLinkedAccounts reach the source accounts linked to a monitoring account, which an
// iamlocal account never has, so only the caller's own groups are listed (none when
// accountIdentifiers leaves its account out). iamlocal keeps no data sources or field indexes:
// a dataSources or fieldIndexNames filter matches no group. Each of logGroupTags must hold: the
// group has the key, with one of the values when values are given. Limit 1-1000, default 50.
func (s *Service) ListLogGroups(ctx context.Context, in *logsapi.ListLogGroupsRequest) (*logsapi.ListLogGroupsResponse, error) {
	c := s.call(ctx)
	var pattern *regexp.Regexp
	if p := protocol.Val(in.LogGroupNamePattern); p != "" {
		var err error
		if pattern, err = regexp.Compile(p); err != nil {
			return nil, logsapi.ErrInvalidParameter("Invalid logGroupNamePattern: %s", p)
		}
	}
	limit := limitOr(in.Limit, 50)
	after, err := decodeToken(protocol.Val(in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &logsapi.ListLogGroupsResponse{LogGroups: []logsapi.LogGroupSummary{}}
	if len(in.DataSources) > 0 || len(in.FieldIndexNames) > 0 ||
		(len(in.AccountIdentifiers) > 0 && !slices.Contains(in.AccountIdentifiers, c.account)) {
		return out, nil
	}
	keep := func(g storage.LogGroupRecord) bool {
		return (pattern == nil || pattern.MatchString(g.Name)) &&
			(in.LogGroupClass == nil || *in.LogGroupClass == g.Class) && hasTags(g.Tags, in.LogGroupTags)
	}
	err = s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		var err error
		out.NextToken, err = groupPage(tx, c.region, "", after, limit, keep, func(g storage.LogGroupRecord) {
			out.LogGroups = append(out.LogGroups, logsapi.LogGroupSummary{LogGroupName: protocol.Ptr(g.Name),
				LogGroupArn: protocol.Ptr(c.scope().LogGroup(g.Name).String()), LogGroupClass: protocol.Ptr(g.Class)})
		})
		return err
	})
	return out, err
}

// hasTags reports whether tags satisfy every filter.
func hasTags(tags map[string]string, filters []logsapi.TagFilter) bool {
	for _, f := range filters {
		v, ok := tags[protocol.Val(f.Key)]
		if !ok || (len(f.Values) > 0 && !slices.Contains(f.Values, v)) {
			return false
		}
	}
	return true
}
