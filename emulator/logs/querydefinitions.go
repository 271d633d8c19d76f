package logs

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Saved CloudWatch Logs Insights queries ("PutQueryDefinition", API Reference), kept per
// account and region. iamlocal stores them; it does not run Insights queries.

// PutQueryDefinition creates a query definition, or with queryDefinitionId replaces one whole:
// "No current values are retained from the current query definition", so an update without
// logGroupNames leaves none. A retried creation (the same clientToken) gets the same id.
func (s *Service) PutQueryDefinition(ctx context.Context, in *logsapi.PutQueryDefinitionRequest) (*logsapi.PutQueryDefinitionResponse, error) {
	c := s.call(ctx)
	rec := storage.LogQueryDefinitionRecord{V: 1, ID: protocol.Val(in.QueryDefinitionId), Name: protocol.Val(in.Name),
		Query: protocol.Val(in.QueryString), Language: cmp.Or(protocol.Val(in.QueryLanguage), "CWLI"),
		LogGroups: in.LogGroupNames, Modified: c.now.UnixMilli()}
	for _, p := range in.Parameters {
		rec.Parameters = append(rec.Parameters, storage.LogQueryParameter{Name: protocol.Val(p.Name),
			Description: protocol.Val(p.Description), DefaultValue: protocol.Val(p.DefaultValue)})
	}
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		defs := storage.LogQueryDefinitions(tx)
		if rec.ID != "" {
			if !defs.Has(storage.LogQueryDefinitionKey(c.region, rec.ID)) {
				return queryDefinitionNotFound()
			}
			return defs.Put(storage.LogQueryDefinitionKey(c.region, rec.ID), rec)
		}
		token := protocol.Val(in.ClientToken)
		if token != "" {
			if id, ok := createdWith(defs, c.region, token); ok {
				rec.ID = id
				return nil
			}
		}
		rec.ID, rec.ClientToken = s.opts.IDs.UUID(), token
		return defs.Insert(storage.LogQueryDefinitionKey(c.region, rec.ID), rec)
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.PutQueryDefinitionResponse{QueryDefinitionId: protocol.Ptr(rec.ID)}, nil
}

// createdWith finds the definition a request with token created.
func createdWith(defs storage.Table[storage.LogQueryDefinitionRecord], region, token string) (string, bool) {
	id := ""
	_ = defs.Scan(storage.LogQueryDefinitionKey(region, ""), func(_ string, d storage.LogQueryDefinitionRecord) error {
		if d.ClientToken == token {
			id = d.ID
		}
		return nil
	})
	return id, id != ""
}

// DescribeQueryDefinitions lists the region's definitions by name (then id), those whose name
// starts with queryDefinitionNamePrefix and, when given, of queryLanguage; maxResults 1-1000,
// default 1000.
func (s *Service) DescribeQueryDefinitions(ctx context.Context, in *logsapi.DescribeQueryDefinitionsRequest) (*logsapi.DescribeQueryDefinitionsResponse, error) {
	c := s.call(ctx)
	offset, err := decodeOffset(protocol.Val(in.NextToken))
	if err != nil {
		return nil, err
	}
	prefix, language := protocol.Val(in.QueryDefinitionNamePrefix), protocol.Val(in.QueryLanguage)
	var all []storage.LogQueryDefinitionRecord
	err = s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		return storage.LogQueryDefinitions(tx).Scan(storage.LogQueryDefinitionKey(c.region, ""), func(_ string, d storage.LogQueryDefinitionRecord) error {
			if strings.HasPrefix(d.Name, prefix) && (language == "" || d.Language == language) {
				all = append(all, d)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b storage.LogQueryDefinitionRecord) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	defs, next := offsetPage(all, offset, limitOr(in.MaxResults, 1000), wireQueryDefinition)
	return &logsapi.DescribeQueryDefinitionsResponse{QueryDefinitions: defs, NextToken: next}, nil
}

func wireQueryDefinition(d storage.LogQueryDefinitionRecord) logsapi.QueryDefinition {
	out := logsapi.QueryDefinition{QueryDefinitionId: protocol.Ptr(d.ID), Name: protocol.Ptr(d.Name),
		QueryString: protocol.Ptr(d.Query), QueryLanguage: protocol.Ptr(d.Language), LastModified: protocol.Ptr(d.Modified),
		LogGroupNames: d.LogGroups}
	for _, p := range d.Parameters {
		wp := logsapi.QueryParameter{Name: protocol.Ptr(p.Name)}
		if p.Description != "" {
			wp.Description = protocol.Ptr(p.Description)
		}
		if p.DefaultValue != "" {
			wp.DefaultValue = protocol.Ptr(p.DefaultValue)
		}
		out.Parameters = append(out.Parameters, wp)
	}
	return out
}

// DeleteQueryDefinition deletes a definition and answers success.
func (s *Service) DeleteQueryDefinition(ctx context.Context, in *logsapi.DeleteQueryDefinitionRequest) (*logsapi.DeleteQueryDefinitionResponse, error) {
	c := s.call(ctx)
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		return storage.LogQueryDefinitions(tx).Delete(storage.LogQueryDefinitionKey(c.region, protocol.Val(in.QueryDefinitionId)))
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, queryDefinitionNotFound()
	}
	if err != nil {
		return nil, err
	}
	return &logsapi.DeleteQueryDefinitionResponse{Success: protocol.Ptr(true)}, nil
}

// queryDefinitionNotFound words the missing definition as the other Logs resources are worded.
func queryDefinitionNotFound() error {
	return logsapi.ErrResourceNotFound("The specified query definition does not exist.")
}
