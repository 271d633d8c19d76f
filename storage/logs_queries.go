package storage

// LogQueryDefinitionRecord is a saved CloudWatch Logs Insights query (PutQueryDefinition).
type LogQueryDefinitionRecord struct {
	V          int                 `json:"v"`
	ID         string              `json:"id"`
	Name       string              `json:"name"`
	Query      string              `json:"query"`
	Language   string              `json:"language"`
	LogGroups  []string            `json:"logGroups,omitempty"`
	Parameters []LogQueryParameter `json:"parameters,omitempty"`
	Modified   int64               `json:"modified"` // ms since the epoch
	// ClientToken is the creating request's idempotency token: a retry of it gets this id.
	ClientToken string `json:"clientToken,omitempty"`
}

// LogQueryParameter is one parameter of a saved query.
type LogQueryParameter struct {
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
	DefaultValue string `json:"default,omitempty"`
}

// LogQueryDefinitions are keyed by LogQueryDefinitionKey.
func LogQueryDefinitions(tx *Tx) Table[LogQueryDefinitionRecord] {
	return AccountTable[LogQueryDefinitionRecord](tx, "logs.querydefinitions")
}

// LogQueryDefinitionKey is the key of a query definition; LogQueryDefinitionKey(region, "")
// is the prefix of the region's.
func LogQueryDefinitionKey(region, id string) string { return Join(region, id) }
